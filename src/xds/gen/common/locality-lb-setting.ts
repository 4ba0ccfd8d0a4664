/**
 * Which locality load-balancing setting applies to a cluster (Istio's
 * GetEffectiveLbSetting without zone-aware routing and trafficDistribution):
 * the DestinationRule's localityLbSetting unless it is disabled, else the
 * mesh's. tsiod's mesh config does not carry localityLbSetting, so the
 * mesh's is Istio's default, `{enabled: true}`: locality failover by
 * priority whenever outlier detection is on.
 */
import type { LoadBalancerSettings, LocalityLbSetting, TrafficPolicy } from '../../../model/types.js';
import { unwrapValue } from './wrapped-value.js';

const MESH_DEFAULT_LOCALITY_SETTING: LocalityLbSetting = Object.freeze({ enabled: true });

export function effectiveLocalitySetting(lb: LoadBalancerSettings | undefined): LocalityLbSetting | undefined {
  const setting = lb?.localityLbSetting;
  if (setting) return unwrapValue(setting.enabled) === false ? undefined : setting;
  return MESH_DEFAULT_LOCALITY_SETTING;
}

/** Failover needs outlier detection: without it Envoy never learns a locality is unhealthy (Istio's enableFailover). */
export function failoverEnabled(policy: TrafficPolicy | undefined): boolean {
  return policy?.outlierDetection !== undefined;
}

/** Whether the cluster balances by locality weights (Istio's LocalityLBSettings.ApplyToCluster). */
export function usesLocalityWeights(policy: TrafficPolicy | undefined): boolean {
  const setting = effectiveLocalitySetting(policy?.loadBalancer);
  if (!setting) return false;
  if ((setting.distribute?.length ?? 0) > 0) return true;
  return failoverEnabled(policy) && ((setting.failover?.length ?? 0) > 0 || (setting.failoverPriority?.length ?? 0) > 0);
}
