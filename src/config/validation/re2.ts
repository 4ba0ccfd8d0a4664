/**
 * Envoy matches regexes with RE2, so a route regex must be valid RE2, not
 * merely valid JavaScript. This checks with the JavaScript engine after
 * rejecting what RE2 does not have (lookaround, backreferences) and
 * translating what only RE2 spells differently ((?P<name>...), leading flags).
 */
export function re2Problem(pattern: string): string | undefined {
  if (/\(\?<?[=!]/.test(pattern)) return 'lookaround assertions are not supported by RE2';
  if (/(^|[^\\])(\\\\)*\\[1-9]/.test(pattern)) return 'backreferences are not supported by RE2';
  let source = pattern.replace(/\(\?P</g, '(?<');
  let flags = 'u';
  const leadingFlags = /^\(\?([imsU]+)\)/.exec(source);
  if (leadingFlags) {
    source = source.slice(leadingFlags[0].length);
    for (const flag of leadingFlags[1] ?? '') if ((flag === 'i' || flag === 'm' || flag === 's') && !flags.includes(flag)) flags += flag;
  }
  try {
    new RegExp(source, flags);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
