/** `kubectl get` output: tables (default and `-o wide`), `-o json` and `-o yaml`. */
export { formatAge, ageSince } from './age.js';
export { printTable, kindPrefix, sortForKind, sortByKey, type TableOptions } from './table.js';
export { toList, printObjects, goJson, goYaml, type KubeList, type OutputFormat, type PrintOptions } from './output.js';
export { summarizePod, type PodSummary } from './pod.js';
export { formatEndpoints, KUBESIM_KUBELET_VERSION } from './columns.js';
export { renderTabbed } from './tabwriter.js';
export { describeEvents } from './events.js';
export {
  describeClaim, describeDisruptionBudget, describeEndpoints, describeEndpointSlice, describeLists, describeNamespace, describeNode, describeObject, describePod,
  describeQuota, describeReplicaSet, describeService, describeStatefulSet, describeStorageClass, describeVolume, type DescribeRelated,
} from './describe.js';
