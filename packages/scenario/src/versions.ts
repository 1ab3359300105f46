/** Versions recorded in every log header (so a replay can tell what produced it). */
export const KUBESIM_VERSIONS = { kubesim: '0.1.0', kubernetes: '1.35', logFormat: '1' } as const;
