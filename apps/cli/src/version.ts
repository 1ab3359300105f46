/** Versions recorded in every log header (so a replay can tell what produced it). */
export { KUBESIM_VERSIONS as VERSIONS } from '@kubesim/scenario';
