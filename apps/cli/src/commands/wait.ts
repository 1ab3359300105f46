import { KINDS, kubectlMessage, type Kind, type KObject } from '@kubesim/api';
import { parseDuration } from '@kubesim/scenario';
import { jsOf, LogFollower } from '@kubesim/nats';
import { withSession, type ContextOptions, type Session } from '../distributed/context.js';
import { kindPrefix } from '../printers/index.js';
import { JsonPath, JsonPathError, relaxedJsonPath } from '../printers/jsonpath.js';
import { parseSelection, selects } from './getmany.js';
import { namespaceFor, resourceArgs } from './resources.js';

/** What `--for` asks ([wait.go conditionFuncFor]). */
export type WaitFor =
  | { readonly kind: 'delete' }
  | { readonly kind: 'create' }
  | { readonly kind: 'condition'; readonly name: string; readonly value: string }
  | { readonly kind: 'jsonpath'; readonly path: JsonPath; readonly value?: string };

/** kubectl's splitJSONPathInput: split on single `=`, a `==` stays in its element. */
const splitJsonPathInput = (input: string): string[] => {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    if (input[i] === '=') {
      if (input[i + 1] === '=') { cur += '=='; i++; continue; }
      out.push(cur); cur = ''; continue;
    }
    cur += input[i]!;
  }
  out.push(cur);
  return out;
};

/** `--for=delete | condition=NAME[=VALUE] | jsonpath='{…}'[=VALUE]`, or kubectl's error. */
export const parseWaitFor = (f: string | undefined): WaitFor | string => {
  const v = f ?? '';
  if (v.toLowerCase() === 'delete') return { kind: 'delete' };
  if (v.toLowerCase() === 'create') return { kind: 'create' };
  if (v.startsWith('condition=')) {
    const rest = v.slice('condition='.length);
    const eq = rest.indexOf('=');
    return eq < 0 ? { kind: 'condition', name: rest, value: 'true' } : { kind: 'condition', name: rest.slice(0, eq), value: rest.slice(eq + 1) };
  }
  if (v.startsWith('jsonpath=')) {
    const parts = splitJsonPathInput(v.slice('jsonpath='.length));
    if (parts.length < 1 || parts.length > 2) return 'error: jsonpath wait format must be --for=jsonpath=\'{.status.readyReplicas}\'=3 or --for=jsonpath=\'{.status.readyReplicas}\'';
    try {
      if (parts[0] === '') return 'error: jsonpath expression cannot be empty';
      const path = new JsonPath(relaxedJsonPath(parts[0]!));
      if (parts.length === 1) return { kind: 'jsonpath', path };
      const value = parts[1]!.replace(/^['"]+|['"]+$/g, '');
      if (value === '') return 'error: jsonpath wait has to have a value after equal sign, like --for=jsonpath=\'{.status.readyReplicas}\'=3';
      return { kind: 'jsonpath', path, value };
    } catch (e) {
      if (e instanceof JsonPathError) return `error: ${e.message}`;
      throw e;
    }
  }
  return `error: unrecognized condition: ${JSON.stringify(v)}`;
};

/**
 * Whether the object (undefined: gone) meets the condition — for `delete`, gone or another object (uid) under the
 * name; a status condition of that type (case-insensitively) with that status, not older than the object's
 * generation; a JSONPath with a value (any, or exactly one primitive equal to the value). A string: an error
 * that ends the wait.
 */
export const waitMet = (f: WaitFor, o: KObject | undefined, uid: string | undefined): boolean | string => {
  if (f.kind === 'delete') return o === undefined || o.metadata?.uid !== uid;
  if (o === undefined) return false;
  if (f.kind === 'create') return true;
  if (f.kind === 'condition') {
    const conditions = (o as { status?: { conditions?: readonly { type?: string; status?: string; observedGeneration?: number }[] } }).status?.conditions ?? [];
    const generation = o.metadata?.generation;
    return conditions.some((c) => (c.type ?? '').toLowerCase() === f.name.toLowerCase() && (c.status ?? '').toLowerCase() === f.value.toLowerCase()
      && (c.observedGeneration === undefined || generation === undefined || c.observedGeneration === generation));
  }
  let values: unknown[];
  try { values = f.path.values(o); } catch (e) { if (e instanceof JsonPathError) return `error: ${e.message}`; throw e; }
  if (values.length === 0) return false;
  if (f.value === undefined) return true;
  if (values.length > 1) return 'error: given jsonpath expression matches more than one value';
  const v = values[0];
  if (v !== null && typeof v === 'object') return 'error: jsonpath leads to a nested object or list which is not supported';
  return String(v) === f.value;
};

/**
 * Follow one object (its own log subject, from the seq its listing was read at) until `met` holds of it or
 * the deadline passes: a watch, as kubectl's wait is, not a poll.
 */
export const followObject = async (s: Session, kind: Kind, ns: string, name: string, first: KObject | undefined, fromSeq: number, met: (o: KObject | undefined) => boolean | string, deadline: number): Promise<boolean | string> => {
  const now = met(first);
  if (now !== false) return now;
  if (Date.now() >= deadline) return false;
  return new Promise<boolean | string>((resolve) => {
    let settled = false;
    const finish = (r: boolean | string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void follower.stop();
      resolve(r);
    };
    const follower = new LogFollower(jsOf(s.nc), s.s, {
      filters: [s.s.object(kind, ns, name)], fromSeq: fromSeq + 1,
      timeOf: (w) => s.clock.fromWall(w),
      onEntry: (e) => {
        const r = met(e.type === 'DELETED' ? undefined : e.object);
        if (r !== false) finish(r);
      },
    });
    const timer = setTimeout(() => finish(false), Math.min(Math.max(deadline - Date.now(), 0), 2 ** 31 - 1));
    follower.start().catch((e: Error) => finish(`error: ${e.message}`));
  });
};

export interface WaitOptions extends ContextOptions {
  readonly for?: string;
  readonly timeout?: string;
  readonly namespace?: string;
  readonly selector?: string;
  readonly fieldSelector?: string;
  readonly all?: boolean;
}

/**
 * `kubesim wait TYPE NAME… | TYPE/NAME… | TYPE -l SEL | TYPE --all --for=…` on the running cluster, as kubectl
 * wait: each object in turn until the condition holds (`pod/web-0 condition met`; `--for=create`: once the
 * objects exist, looked for every 0.5 s — `error: timed out waiting for the condition`), within one `--timeout`
 * (default 30s; 0: look once, `error: condition not met for pods/web-0`; negative: a week) — `error: timed out
 * waiting for the condition on pods/web-0`; `error: no matching resources found` when a selector selects
 * nothing (for `delete`: nothing to wait for).
 */
export const waitCommand = (args: readonly string[], o: WaitOptions): Promise<number> => withSession(o, async (s) => {
  const err = (m: string): number => { process.stderr.write(`${m}\n`); return 1; };
  const f = parseWaitFor(o.for);
  if (typeof f === 'string') return err(f);
  const t = o.timeout ?? '30s';
  const negative = t.startsWith('-');
  const ms = t === '0' ? 0 : parseDuration(negative ? t.slice(1) : t);
  if (ms === undefined) return err(`error: invalid argument "${t}" for "--timeout" flag: time: invalid duration "${t}"`);
  const timeoutMs = negative ? 168 * 3600_000 : ms;
  const deadline = Date.now() + timeoutMs;
  const r = resourceArgs(args);
  if (typeof r === 'string') return err(`error: ${r}`);
  const ns = o.namespace ?? 'default';
  const isDelete = f.kind === 'delete';
  const type = r.type;
  if (type !== undefined && o.selector === undefined && o.fieldSelector === undefined && !o.all) return err('error: resource(s) were provided, but no name was specified');
  const sel = type === undefined ? undefined : parseSelection(type, o.selector, o.fieldSelector);
  if (typeof sel === 'string') return err(sel);

  // The objects to wait for, with their version (and the seq it was read at) as listed; `missing`: named
  // objects that do not exist (an error, except when waiting for their deletion or creation).
  type Target = { kind: Kind; name: string; obj: KObject | undefined; seq: number };
  const find = async (): Promise<{ targets: Target[]; missing: string[] } | string> => {
    const targets: Target[] = [];
    const missing: string[] = [];
    if (type !== undefined) {
      const l = await s.api.list(type, KINDS[type].namespaced ? ns : undefined);
      if (!l.ok) return kubectlMessage(l.error);
      for (const obj of l.objects) if (selects(type, sel!, obj)) targets.push({ kind: type, name: obj.metadata?.name ?? '', obj, seq: l.seq });
    } else {
      for (const ref of r.refs) {
        const l = await s.api.list(ref.kind, KINDS[ref.kind].namespaced ? ns : undefined, ref.name);
        if (!l.ok) return kubectlMessage(l.error);
        const obj = l.objects[0];
        if (obj === undefined) missing.push(`Error from server (NotFound): ${KINDS[ref.kind].plural} "${ref.name}" not found`);
        else targets.push({ kind: ref.kind, name: ref.name, obj, seq: l.seq });
      }
    }
    return { targets, missing };
  };
  let found = await find();
  // [RunWait] --for=create looks again every 0.5 s until every named object exists (a selector: one matches).
  while (f.kind === 'create' && typeof found !== 'string' && (found.missing.length > 0 || found.targets.length === 0)) {
    if (Date.now() >= deadline) return err('error: timed out waiting for the condition');
    await new Promise((res) => setTimeout(res, Math.min(500, Math.max(deadline - Date.now(), 0))));
    found = await find();
  }
  if (typeof found === 'string') return err(found);
  // Waiting for a deletion, an object already gone is no error (kubectl ignores NotFound then).
  if (!isDelete && found.missing.length > 0) return err(found.missing[0]!);
  const targets = found.targets;
  if (targets.length === 0) return isDelete ? 0 : err('error: no matching resources found');
  for (const target of targets) {
    const uid = target.obj?.metadata?.uid;
    const met = await followObject(s, target.kind, namespaceFor(target.kind, ns), target.name, target.obj, target.seq, (x) => waitMet(f, x, uid), deadline);
    if (typeof met === 'string') return err(met);
    if (!met) {
      const on = `${KINDS[target.kind].plural}/${target.name}`;
      return err(timeoutMs === 0 ? `error: condition not met for ${on}` : `error: timed out waiting for the condition on ${on}`);
    }
    process.stdout.write(`${kindPrefix(target.kind)}${target.name} condition met\n`);
  }
  return 0;
});
