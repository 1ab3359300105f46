export { endpointSliceController, endpointSliceKeysFor } from './component.js';
export {
  ENDPOINTSLICE_CONTROLLER_NAME, ENDPOINTSLICE_MANAGER, LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS, STALE_SLICES,
  defaultEndpointSliceControllerConfig, initialEndpointSliceLocal, syncEndpointSlices, managedSlicesOf, podToEndpoint,
  addressTypesOf, endpointPortsOf, portMapKey, slicesByService,
  type EndpointSliceControllerConfig, type EndpointSliceLocal,
} from './core.js';
