/**
 * Which locality load-balancing setting applies to a cluster (Istio's
 * GetEffectiveLbSetting without zone-aware routing and trafficDistribution):
 * the DestinationRule's localityLbSetting, else the mesh config's (Istio's
 * default `{enabled: true}`: locality failover by priority whenever outlier
 * detection is on); none when the one that applies is disabled.
 */
import { DEFAULT_LOCALITY_LB_SETTING } from '../../../model/mesh-traffic-defaults.js';
import type { LoadBalancerSettings, LocalityLbSetting, TrafficPolicy } from '../../../model/types.js';
import { unwrapValue } from './wrapped-value.js';

/** `meshSetting`: MeshConfig.localityLbSetting, undefined for Istio's default. */
export function effectiveLocalitySetting(lb: LoadBalancerSettings | undefined, meshSetting?: LocalityLbSetting): LocalityLbSetting | undefined {
  const setting = lb?.localityLbSetting ?? meshSetting ?? DEFAULT_LOCALITY_LB_SETTING;
  return unwrapValue(setting.enabled) === false ? undefined : setting;
}

/** Failover needs outlier detection: without it Envoy never learns a locality is unhealthy (Istio's enableFailover). */
export function failoverEnabled(policy: TrafficPolicy | undefined): boolean {
  return policy?.outlierDetection !== undefined;
}

/** Whether the cluster balances by locality weights (Istio's LocalityLBSettings.ApplyToCluster). */
export function usesLocalityWeights(policy: TrafficPolicy | undefined, meshSetting?: LocalityLbSetting): boolean {
  const setting = effectiveLocalitySetting(policy?.loadBalancer, meshSetting);
  if (!setting) return false;
  if ((setting.distribute?.length ?? 0) > 0) return true;
  return failoverEnabled(policy) && ((setting.failover?.length ?? 0) > 0 || (setting.failoverPriority?.length ?? 0) > 0);
}
