/** The connection to the apiserver: a kubeconfig file, or the pod's own service account. */
import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';

export type KubeConnection =
  | { readonly kubeconfig: string; readonly inCluster?: undefined }
  /** The service account token and CA mounted into every pod, and KUBERNETES_SERVICE_HOST/PORT. */
  | { readonly inCluster: true; readonly kubeconfig?: undefined };

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function loadKubeConfig(connection: KubeConnection, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (connection.inCluster) {
    if (!env['KUBERNETES_SERVICE_HOST'] || !env['KUBERNETES_SERVICE_PORT']) {
      throw new Error('in-cluster config needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT (is tsiod running in a pod?)');
    }
    if (!existsSync(SERVICE_ACCOUNT_TOKEN)) throw new Error(`in-cluster config needs the service account token at ${SERVICE_ACCOUNT_TOKEN}`);
    kubeConfig.loadFromCluster();
  } else {
    try {
      kubeConfig.loadFromFile(connection.kubeconfig);
    } catch (error) {
      throw new Error(`cannot read kubeconfig ${connection.kubeconfig}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (!kubeConfig.getCurrentCluster()?.server) throw new Error(`${connection.inCluster ? 'in-cluster config' : connection.kubeconfig} names no current cluster with a server`);
  return kubeConfig;
}
