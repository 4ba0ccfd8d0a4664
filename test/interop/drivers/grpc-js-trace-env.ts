/**
 * Turns on grpc-js's xDS traces. Import this before anything that loads
 * @grpc/grpc-js: grpc-js reads GRPC_TRACE and GRPC_VERBOSITY once, when it is
 * first loaded. The traces go to an in-memory buffer (see grpc-js-driver.ts)
 * that a test prints only when it fails. TSIOD_GRPC_TRACE replaces the
 * tracer list when debugging (say, "xds_client,xds_resolver,fault_injection").
 */
process.env['GRPC_TRACE'] = process.env['TSIOD_GRPC_TRACE'] ?? 'xds_client,xds_resolver';
process.env['GRPC_VERBOSITY'] = 'DEBUG';
