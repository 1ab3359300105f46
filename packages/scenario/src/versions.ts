/** Versions recorded in every log header (so a replay can tell what produced it). */
export const KUBESIM_VERSIONS = { kubesim: '0.1.0', kubernetes: '1.35', logFormat: '1' } as const;

/** The versions of a run's log header: the Kubernetes release is the one its cluster models. */
export const versionsFor = (cluster: { readonly kubernetesVersion?: string }): Record<string, string> =>
  ({ ...KUBESIM_VERSIONS, kubernetes: cluster.kubernetesVersion ?? KUBESIM_VERSIONS.kubernetes });
