/**
 * The message types tsiod's analyzers report: Istio's codes, names, levels
 * and wording (istio/istio pkg/config/analysis/msg/messages.yaml), so that
 * tooling and documentation written for istioctl analyze apply unchanged.
 * Each page at https://istio.io/latest/docs/reference/config/analysis/<code>/
 * explains its message.
 */
import { goList, goQuote, messageType } from './message.js';

export const ReferencedResourceNotFound = messageType('IST0101', 'ReferencedResourceNotFound', 'Error', (refType: string, refValue: string) =>
  `Referenced ${refType} not found: ${goQuote(refValue)}`);

export const NamespaceNotInjected = messageType('IST0102', 'NamespaceNotInjected', 'Info', (namespace: string) =>
  `The namespace is not enabled for Istio injection. Run 'kubectl label namespace ${namespace} istio-injection=enabled' to enable it, ` +
  `or 'kubectl label namespace ${namespace} istio-injection=disabled' to explicitly mark it as not needing injection.`);

export const PodMissingProxy = messageType('IST0103', 'PodMissingProxy', 'Warning', (pod: string) =>
  `The pod ${pod} is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.`);

export const SchemaValidationError = messageType('IST0106', 'SchemaValidationError', 'Error', (error: string) =>
  `Schema validation error: ${error}`);

export const ConflictingMeshGatewayVirtualServiceHosts = messageType('IST0109', 'ConflictingMeshGatewayVirtualServiceHosts', 'Error', (virtualServices: string, host: string) =>
  `The VirtualServices ${virtualServices} associated with mesh gateway define the same host ${host} which can lead to undefined behavior. ` +
  'This can be fixed by merging the conflicting VirtualServices into a single resource.');

export const ConflictingSidecarWorkloadSelectors = messageType('IST0110', 'ConflictingSidecarWorkloadSelectors', 'Error', (sidecars: readonly string[], namespace: string, pod: string) =>
  `The Sidecars ${goList(sidecars)} in namespace ${goQuote(namespace)} select the same workload pod ${goQuote(pod)}, which can lead to undefined behavior.`);

export const MultipleSidecarsWithoutWorkloadSelectors = messageType('IST0111', 'MultipleSidecarsWithoutWorkloadSelectors', 'Error', (sidecars: readonly string[], namespace: string) =>
  `The Sidecars ${goList(sidecars)} in namespace ${goQuote(namespace)} have no workload selector, which can lead to undefined behavior.`);

export const VirtualServiceDestinationPortSelectorRequired = messageType('IST0112', 'VirtualServiceDestinationPortSelectorRequired', 'Error', (host: string, ports: readonly number[]) =>
  `This VirtualService routes to a service ${goQuote(host)} that exposes multiple ports ${goList(ports)}. Specifying a port in the destination is required to disambiguate.`);

export const PortNameIsNotUnderNamingConvention = messageType('IST0118', 'PortNameIsNotUnderNamingConvention', 'Info', (portName: string, port: number, targetPort: string) =>
  `Port name ${portName} (port: ${port}, targetPort: ${targetPort}) doesn't follow the naming convention of Istio port.`);

export const NamespaceMultipleInjectionLabels = messageType('IST0123', 'NamespaceMultipleInjectionLabels', 'Warning', (labels: readonly string[]) =>
  `The namespace has more than one type of injection labels ${goList(labels)}, which may lead to undefined behavior. Make sure only one injection label exists.`);

export const NoServerCertificateVerificationDestinationLevel = messageType('IST0128', 'NoServerCertificateVerificationDestinationLevel', 'Warning',
  (destinationRule: string, namespace: string, mode: string, host: string) =>
    `DestinationRule ${destinationRule} in namespace ${namespace} has TLS mode set to ${mode} but no caCertificates are set to validate server identity for host: ${host}`);

export const NoServerCertificateVerificationPortLevel = messageType('IST0129', 'NoServerCertificateVerificationPortLevel', 'Warning',
  (destinationRule: string, namespace: string, mode: string, host: string, port: string) =>
    `DestinationRule ${destinationRule} in namespace ${namespace} has TLS mode set to ${mode} but no caCertificates are set to validate server identity for host: ${host} at port ${port}`);

export const VirtualServiceUnreachableRule = messageType('IST0130', 'VirtualServiceUnreachableRule', 'Warning', (rule: string, reason: string) =>
  `VirtualService rule ${rule} not used (${reason}).`);

export const VirtualServiceIneffectiveMatch = messageType('IST0131', 'VirtualServiceIneffectiveMatch', 'Info', (rule: string, match: string, duplicateOf: string) =>
  `VirtualService rule ${rule} match ${match} is not used (duplicate/overlapping match in rule ${duplicateOf}).`);

export const VirtualServiceHostNotFoundInGateway = messageType('IST0132', 'VirtualServiceHostNotFoundInGateway', 'Warning', (hosts: readonly string[], virtualService: string, gateway: string) =>
  `one or more host ${goList(hosts)} defined in VirtualService ${virtualService} not found in Gateway ${gateway}.`);

export const ServiceEntryAddressesRequired = messageType('IST0134', 'ServiceEntryAddressesRequired', 'Warning', () =>
  'ServiceEntry addresses are required for this protocol.');

export const ExternalNameServiceTypeInvalidPortName = messageType('IST0150', 'ExternalNameServiceTypeInvalidPortName', 'Warning', () =>
  'Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly');

export const InvalidGatewayCredential = messageType('IST0161', 'InvalidGatewayCredential', 'Error', (gateway: string, namespace: string) =>
  `The credential referenced by the Gateway ${gateway} in namespace ${namespace} is invalid, which can cause the traffic not to work as expected.`);

export const GatewayPortNotDefinedOnService = messageType('IST0162', 'GatewayPortNotDefinedOnService', 'Warning', (port: number, selector: string) =>
  `The gateway is listening on a target port (port ${port}) that is not defined in the Service associated with its workload instances (Pod selector ${selector}). ` +
  'If you need to access the gateway port through the gateway Service, it will not be available.');

export const DestinationRuleSubsetNotSelectPods = messageType('IST0173', 'DestinationRuleSubsetNotSelectPods', 'Error', (subset: string) =>
  `The Subset ${subset} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).`);

export const UnknownDestinationRuleHost = messageType('IST0174', 'UnknownDestinationRuleHost', 'Warning', (host: string) =>
  `The host ${host} defined in the DestinationRule does not match any services in the mesh.`);
