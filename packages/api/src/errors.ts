import { KINDS, qualifiedKind, type Kind } from './types.js';

/** One field error, rendered as Kubernetes does: `<path>: <Type>[: <value>][: <detail>]`. */
export type FieldErrorType =
  | 'Required value' | 'Invalid value' | 'Unsupported value' | 'Forbidden' | 'Not found' | 'Duplicate value' | 'Too long' | 'Too many';

export interface FieldError {
  readonly path: string;
  readonly type: FieldErrorType;
  /** Already-rendered value (strings quoted, numbers bare); undefined when the type shows none. */
  readonly value?: string;
  readonly detail?: string;
}

export const renderValue = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return 'null';
  // Kubernetes 1.31+ renders maps and structs as JSON (sorted keys for maps).
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : x));
};

export const fieldError = (path: string, type: FieldErrorType, value?: unknown, detail?: string): FieldError => {
  const hasValue = type === 'Invalid value' || type === 'Unsupported value' || type === 'Duplicate value' || type === 'Too many' || type === 'Not found';
  return { path, type, ...(hasValue ? { value: renderValue(value) } : {}), ...(detail !== undefined ? { detail } : {}) };
};
export const required = (path: string, detail?: string) => fieldError(path, 'Required value', undefined, detail);
export const invalid = (path: string, value: unknown, detail: string) => fieldError(path, 'Invalid value', value, detail);
export const unsupported = (path: string, value: unknown, supported: readonly string[]) =>
  fieldError(path, 'Unsupported value', value, `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`);
export const forbidden = (path: string, detail: string) => fieldError(path, 'Forbidden', undefined, detail);
export const notFound = (path: string, value: unknown) => fieldError(path, 'Not found', value);
export const duplicate = (path: string, value: unknown) => fieldError(path, 'Duplicate value', value);
/** field.TooMany: `<path>: Too many: <actual>: must have at most <max> items`. */
export const tooMany = (path: string, actual: number, max: number) => fieldError(path, 'Too many', actual, `must have at most ${max} items`);
/** field.TooLong as 1.35 renders it: `<path>: Too long: may not be more than <max> bytes` (no value). */
export const tooLong = (path: string, max: number) => fieldError(path, 'Too long', undefined, `may not be more than ${max} bytes`);

export const renderFieldError = (e: FieldError): string =>
  [e.path, e.type, e.value, e.detail].filter((x) => x !== undefined && x !== '').join(': ');

/** An API error as a value (house rule 3). `code` is the HTTP status. */
export type ApiErrorReason =
  | 'Invalid' | 'Conflict' | 'AlreadyExists' | 'NotFound' | 'Forbidden' | 'BadRequest' | 'InternalError' | 'Timeout' | 'TooManyRequests';

export interface ApiError {
  readonly type: 'ApiError';
  readonly reason: ApiErrorReason;
  readonly code: number;
  readonly message: string;
  readonly causes?: readonly FieldError[];
}

export const apiError = (reason: ApiErrorReason, code: number, message: string, causes?: readonly FieldError[]): ApiError =>
  ({ type: 'ApiError', reason, code, message, ...(causes ? { causes } : {}) });

/**
 * `StatefulSet.apps "web" is invalid: [e1, e2]` (NewInvalid). The message is the ErrorList's aggregate,
 * which drops repeated messages (ToAggregate) — e.g. a pod update's tolerations, validated by both
 * ValidatePodSpec and validateOnlyAddedTolerations; the causes keep every error.
 */
const invalidIn = (qualified: string, name: string, errs: readonly FieldError[]): ApiError => {
  const rendered = [...new Set(errs.map(renderFieldError))];
  const body = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
  return apiError('Invalid', 422, `${qualified} "${name}" is invalid: ${body}`, errs);
};
export const newInvalid = (kind: Kind, name: string, errs: readonly FieldError[]): ApiError => invalidIn(qualifiedKind(kind), name, errs);
/** The scale subresource's `Scale.autoscaling "web" is invalid: …` (ValidateScale, on the Scale object). */
export const newInvalidScale = (name: string, errs: readonly FieldError[]): ApiError => invalidIn('Scale.autoscaling', name, errs);
export const newConflict = (kind: Kind, name: string, detail: string): ApiError =>
  apiError('Conflict', 409, `Operation cannot be fulfilled on ${pluralQualified(kind)} "${name}": ${detail}`);
export const newAlreadyExists = (kind: Kind, name: string): ApiError =>
  apiError('AlreadyExists', 409, `${pluralQualified(kind)} "${name}" already exists`);
export const newNotFound = (kind: Kind, name: string): ApiError =>
  apiError('NotFound', 404, `${pluralQualified(kind)} "${name}" not found`);
export const newForbidden = (kind: Kind, name: string, detail: string): ApiError =>
  apiError('Forbidden', 403, `${pluralQualified(kind)} "${name}" is forbidden: ${detail}`);
export const newBadRequest = (message: string): ApiError => apiError('BadRequest', 400, message);
/** NewTimeoutError as a client sees it: the request may still have been applied. */
export const newTimeout = (why?: string): ApiError =>
  apiError('Timeout', 504, `the server was unable to return a response in the time allotted, but may still be processing the request${why === undefined ? '' : ` (${why})`}`);

/** `statefulsets.apps` / `pods` — the resource form used by Conflict/NotFound/AlreadyExists messages. */
export const pluralQualified = (kind: Kind): string => {
  const { plural, group } = KINDS[kind];
  return group === '' ? plural : `${plural}.${group}`;
};

/** kubectl's rendering: `The StatefulSet "web" is invalid: ...`. */
export const kubectlMessage = (e: ApiError): string => {
  if (e.reason !== 'Invalid') return `Error from server (${e.reason}): ${e.message}`;
  const m = /^(\w+)(?:\.[\w.]+)? "([^"]*)" is invalid: (.*)$/s.exec(e.message);
  return m ? `The ${m[1]} "${m[2]}" is invalid: ${m[3]}` : e.message;
};
