/**
 * Which config source `tsiod serve` reads: exactly one of --config-dir,
 * --kubeconfig and --in-cluster; with none, in-cluster when running in a pod
 * (KUBERNETES_SERVICE_HOST is set), as istiod does.
 */
import type { KubeConnection } from '../config/kubernetes/load-kube-config.js';

export interface ConfigSourceFlags {
  readonly configDir?: string;
  readonly kubeconfig?: string;
  readonly inCluster?: boolean;
}

export type ConfigSourceChoice =
  | { readonly configDir: string; readonly kubernetes?: undefined }
  | { readonly kubernetes: KubeConnection; readonly configDir?: undefined };

export function chooseConfigSource(flags: ConfigSourceFlags, env: NodeJS.ProcessEnv): ConfigSourceChoice {
  const given = [flags.configDir !== undefined && '--config-dir', flags.kubeconfig !== undefined && '--kubeconfig', flags.inCluster === true && '--in-cluster'].filter(
    (flag): flag is string => flag !== false,
  );
  if (given.length > 1) throw new Error(`give one config source, not ${given.join(' and ')}`);
  if (flags.configDir !== undefined) return { configDir: flags.configDir };
  if (flags.kubeconfig !== undefined) return { kubernetes: { kubeconfig: flags.kubeconfig } };
  if (flags.inCluster === true || env['KUBERNETES_SERVICE_HOST']) return { kubernetes: { inCluster: true } };
  throw new Error('no config source: give --config-dir <dir> or --kubeconfig <path> (in a pod, in-cluster config is the default)');
}
