export { endpointsController, endpointsKeysFor, podEndpointsChanged } from './component.js';
export {
  syncEndpoints, selectedPods, serviceSelector, podsByLabelPair, initialEndpointsLocal, defaultEndpointsControllerConfig,
  defaultEndpointsControllerConfig as defaultEndpointsConfig,
  ENDPOINTS_CONTROLLER_NAME, LABEL_INDEX as ENDPOINTS_LABEL_INDEX, type EndpointsControllerConfig, type EndpointsLocal,
} from './core.js';
export {
  buildSubsets, truncateSubsets, endpointSubsetsFor, canonicalSubsets, shouldPodBeInEndpoints, shouldSetHostname, findPort,
  HEADLESS_LABEL, OVER_CAPACITY_ANNOTATION, type EndpointSubset, type EndpointAddress, type EndpointPort,
} from './subsets.js';
export {
  dnsRecords, serviceRecords, servedFromEndpoints, servedFromSlices, slicesOfService, resolve, resolveName, resolveAddresses, resolveSrv, resolvePtr, reverseName, dashedIp,
  type DnsRecord, type DnsRecordType, type ServedEndpoint,
} from './dns.js';
