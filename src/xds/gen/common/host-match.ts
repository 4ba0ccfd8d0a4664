/** Generators match config hosts as the model's indexes do. */
export { configHostMatches } from '../../../model/host-match.js';
