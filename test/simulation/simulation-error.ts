/** Why a simulated request went nowhere, with the step that failed, so a test failure says why. */
export type SimulationStage = 'listener' | 'filter chain' | 'protocol' | 'tls' | 'route config' | 'virtual host' | 'route' | 'cluster';

export class SimulationError extends Error {
  override readonly name = 'SimulationError';
  constructor(
    readonly stage: SimulationStage,
    message: string,
  ) {
    super(`${stage}: ${message}`);
  }
}
