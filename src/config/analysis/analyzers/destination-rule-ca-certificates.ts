/**
 * DestinationRules that originate TLS without checking the server
 * (Istio's destinationrule.CaCertificateAnalyzer): TLS mode SIMPLE or MUTUAL
 * and no caCertificates, for the whole host
 * (NoServerCertificateVerificationDestinationLevel, IST0128) or for one port
 * (NoServerCertificateVerificationPortLevel, IST0129). A credentialName on a
 * DestinationRule with a workloadSelector (a gateway's) carries its own CA
 * and is not reported. The port is shown as Istio prints the port selector
 * ("number:443").
 */
import type { JsonValue } from '../../config-object.js';
import { resourceOf, type Analyzer } from '../context.js';
import { asNumber, asString, field, objectsOf, specOf } from '../json.js';
import { newMessage } from '../message.js';
import { NoServerCertificateVerificationDestinationLevel, NoServerCertificateVerificationPortLevel } from '../messages.js';

export const destinationRuleCaCertificatesAnalyzer: Analyzer = {
  name: 'destinationrule.CaCertificateAnalyzer',
  description: 'Checks if caCertificates is set when TLS mode is SIMPLE/MUTUAL',
  analyze(context, report) {
    for (const rule of context.of('DestinationRule')) {
      const spec = specOf(rule);
      const name = `${rule.metadata.namespace}/${rule.metadata.name}`;
      const host = asString(spec['host']) ?? '';
      const selected = spec['workloadSelector'] !== undefined && spec['workloadSelector'] !== null;
      const tls = field(spec, 'trafficPolicy', 'tls');
      const mode = unverifiedMode(tls, selected);
      if (mode) report(newMessage(NoServerCertificateVerificationDestinationLevel, resourceOf(rule), name, rule.metadata.namespace, mode, host));
      for (const [settings] of objectsOf(field(spec, 'trafficPolicy', 'portLevelSettings'))) {
        const portMode = unverifiedMode(settings['tls'], selected);
        if (!portMode) continue;
        const port = asNumber(field(settings, 'port', 'number'));
        report(newMessage(NoServerCertificateVerificationPortLevel, resourceOf(rule), name, rule.metadata.namespace, portMode, host, port === undefined ? '' : `number:${port}`));
      }
    }
  },
};

/** "SIMPLE" or "MUTUAL" when those TLS settings originate TLS without a CA to check the server with. */
function unverifiedMode(tls: JsonValue | undefined, selected: boolean): string | undefined {
  const mode = asString(field(tls, 'mode'));
  if (mode !== 'SIMPLE' && mode !== 'MUTUAL') return undefined;
  if ((asString(field(tls, 'caCertificates')) ?? '') !== '') return undefined;
  if ((asString(field(tls, 'credentialName')) ?? '') !== '' && selected) return undefined;
  return mode;
}
