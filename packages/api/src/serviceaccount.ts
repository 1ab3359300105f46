/**
 * Service accounts as Kubernetes 1.35 gives them to pods: the ServiceAccount admission plugin
 * [plugin/pkg/admission/serviceaccount] and the objects every namespace holds — its `default` ServiceAccount
 * (the serviceaccounts controller) and the `kube-root-ca.crt` ConfigMap (the root CA publisher).
 */
import type { ConfigMap, Container, Pod, PodSpec, ServiceAccount, Volume } from './types.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
/** [rootcacertpublisher] the ConfigMap every namespace gets, and its key. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const ROOT_CA_KEY = 'ca.crt';
/** Where the admission plugin mounts the token volume. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The token volume's name prefix; the plugin adds five random characters. */
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';

/** A namespace's `default` ServiceAccount, as the serviceaccounts controller creates it. */
export const defaultServiceAccount = (namespace: string): ServiceAccount =>
  ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } });

/** The simulated cluster's CA bundle (a stand-in: no TLS exists here). */
export const ROOT_CA_PEM = '-----BEGIN CERTIFICATE-----\nkubesim simulated cluster CA (no key material)\n-----END CERTIFICATE-----\n';

/** A namespace's `kube-root-ca.crt`, as the root CA publisher writes it. */
export const rootCaConfigMap = (namespace: string): ConfigMap => ({
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: {
    name: ROOT_CA_CONFIGMAP, namespace,
    annotations: {
      'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
    },
  },
  data: { [ROOT_CA_KEY]: ROOT_CA_PEM },
});

/** The service account a pod names: serviceAccountName, else the deprecated serviceAccount, else `default`. */
export const podServiceAccountName = (spec: PodSpec | undefined): string =>
  spec?.serviceAccountName || spec?.serviceAccount || DEFAULT_SERVICE_ACCOUNT;

/** The token volume [admission TokenVolumeSource]: a bound token, the cluster CA, the namespace. */
export const tokenVolume = (name: string): Volume => ({
  name,
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: ROOT_CA_KEY, path: ROOT_CA_KEY }] } },
      { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
    ],
  },
});

/** The random part of a token volume's name: utilrand.String(5) (consonants and digits without lookalikes). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
export const tokenVolumeName = (draw: (n: number) => number): string => {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHANUMS[draw(ALPHANUMS.length)];
  return TOKEN_VOLUME_PREFIX + s;
};

/**
 * The admission plugin on a pod being created: the pod names its account (`default` when it names none); a
 * missing account refuses the pod (`error looking up service account default/db: serviceaccount "db" not
 * found`); the account's image pull secrets are copied when the pod has none; unless the pod or the account
 * turns automounting off, or a container already mounts something at the token path, the token volume is added
 * and mounted read-only into every container and init container.
 */
export const admitServiceAccount = (
  pod: Pod, account: ServiceAccount | undefined, volumeName: () => string,
): { pod: Pod } | { error: string } => {
  const spec = pod.spec ?? ({ containers: [] } as PodSpec);
  const name = podServiceAccountName(spec);
  const ns = pod.metadata?.namespace ?? 'default';
  if (!account) return { error: `error looking up service account ${ns}/${name}: serviceaccount "${name}" not found` };
  let next: PodSpec = { ...spec, serviceAccountName: name, serviceAccount: name };
  if ((spec.imagePullSecrets ?? []).length === 0 && (account.imagePullSecrets ?? []).length > 0) next = { ...next, imagePullSecrets: [...account.imagePullSecrets!] };
  const automount = spec.automountServiceAccountToken ?? account.automountServiceAccountToken ?? true;
  if (automount) {
    // A container that mounts something at the token path keeps it; every other one gets the token volume.
    const existing = (spec.volumes ?? []).find((v) => v.name.startsWith(TOKEN_VOLUME_PREFIX));
    const vol = existing?.name ?? volumeName();
    let needed = false;
    const mount = (c: Container): Container => {
      if ((c.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) return c;
      needed = true;
      return { ...c, volumeMounts: [...c.volumeMounts ?? [], { name: vol, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }] };
    };
    const initContainers = spec.initContainers?.map(mount);
    const containers = (spec.containers ?? []).map(mount);
    if (needed) {
      next = {
        ...next, containers, ...(initContainers ? { initContainers } : {}),
        ...(existing ? {} : { volumes: [...spec.volumes ?? [], tokenVolume(vol)] }),
      };
    }
  }
  return { pod: { ...pod, spec: next } };
};
