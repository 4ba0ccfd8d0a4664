/**
 * PGV's `string.pattern` is RE2, and JavaScript regexes are not: some RE2
 * spellings mean something else in JavaScript (`.`, `\s`, `\123`), some are
 * missing (`\A`, `\z`, `\Q..\E`, `[[:alpha:]]`, `(?P<name>)`). This rewrites
 * an RE2 pattern into a JavaScript `u` regex that matches the same strings,
 * and refuses, with UnsupportedRe2Error, what it cannot translate exactly:
 * `\C`, `(?U)`, flags after the start or in groups, negated POSIX classes,
 * `\S`/`\W`-style negated classes inside brackets (beyond \D, \W), and octal
 * escapes that JavaScript would read as backreferences. Lookaround and
 * backreferences are not RE2 at all and are refused too.
 */
export class UnsupportedRe2Error extends Error {
  override readonly name = 'UnsupportedRe2Error';
  constructor(readonly pattern: string, reason: string) {
    super(`RE2 pattern ${JSON.stringify(pattern)} cannot be evaluated in JavaScript: ${reason}`);
  }
}

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

/** Characters JavaScript's `u` mode lets one escape with a backslash outside a class. */
const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/');
/** RE2's \s is ASCII whitespace without \v; JavaScript's includes Unicode spaces. */
const RE2_SPACE = '\\t\\n\\f\\r ';

export function translateRe2(pattern: string): RegExp {
  let flags = 'u';
  let i = 0;
  const leading = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  if (leading) {
    for (const f of leading[1] ?? '') {
      if (f === 'i' || f === 'm' || f === 's') { if (!flags.includes(f)) flags += f; }
      else throw new UnsupportedRe2Error(pattern, `flag ${f}`);
    }
    i = leading[0].length;
  }
  const dotAll = flags.includes('s');
  let out = '';
  let inClass = false;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      const [js, consumed] = translateEscape(pattern, i, inClass);
      out += js;
      i += consumed;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i + 2);
        if (end < 0) throw new UnsupportedRe2Error(pattern, 'unterminated POSIX class');
        const name = pattern.slice(i + 2, end);
        const expansion = POSIX_CLASSES[name];
        if (expansion === undefined) throw new UnsupportedRe2Error(pattern, `POSIX class [:${name}:]`);
        out += expansion;
        i = end + 2;
        continue;
      }
      if (c === '[') { out += '\\['; i++; continue; }
      if (c === ']') inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      if (pattern[i] === '^') { out += '^'; i++; }
      // RE2, like POSIX, takes a `]` right after `[` or `[^` as a literal.
      if (pattern[i] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      if (rest.startsWith(':')) { out += '(?:'; i += 3; continue; }
      const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) { out += `(?<${named[1]!}>`; i += 2 + named[0].length; continue; }
      throw new UnsupportedRe2Error(pattern, `group ${JSON.stringify(`(?${rest.slice(0, 3)}`)}`);
    }
    if (c === '.' && !dotAll) { out += '[^\\n]'; i++; continue; }
    out += c;
    i++;
  }
  if (inClass) throw new UnsupportedRe2Error(pattern, 'unterminated character class');
  try {
    return new RegExp(out, flags);
  } catch (err) {
    throw new UnsupportedRe2Error(pattern, err instanceof Error ? err.message : String(err));
  }
}

/** One escape sequence at `at`: its JavaScript spelling and how many pattern characters it used. */
function translateEscape(pattern: string, at: number, inClass: boolean): [string, number] {
  const next = pattern[at + 1];
  if (next === undefined) throw new UnsupportedRe2Error(pattern, 'trailing backslash');
  switch (next) {
    case 'A': if (inClass) break; return ['(?<![\\s\\S])', 2];
    case 'z': if (inClass) break; return ['(?![\\s\\S])', 2];
    case 's': return [inClass ? RE2_SPACE : `[${RE2_SPACE}]`, 2];
    case 'S': if (inClass) break; return [`[^${RE2_SPACE}]`, 2];
    case 'a': return ['\\x07', 2];
    case 'C': break;
    case 'Q': {
      const end = pattern.indexOf('\\E', at + 2);
      const literal = pattern.slice(at + 2, end < 0 ? undefined : end);
      return [[...literal].map((ch) => literalChar(ch, inClass)).join(''), (end < 0 ? pattern.length : end + 2) - at];
    }
    case 'x': {
      const braced = /^\\x\{([0-9A-Fa-f]+)\}/.exec(pattern.slice(at));
      if (braced) return [`\\u{${braced[1]!}}`, braced[0].length];
      return [pattern.slice(at, at + 4), 4];
    }
    case 'p': case 'P': {
      const m = /^\\[pP](\{\^?([A-Za-z_]+)\}|([A-Za-z]))/.exec(pattern.slice(at));
      if (!m) break;
      const braced = m[2];
      const negated = (next === 'P') !== (m[1]!.startsWith('{^'));
      const name = braced ?? m[3]!;
      const property = name.length <= 2 ? name : `Script=${name}`;
      return [`\\${negated ? 'P' : 'p'}{${property}}`, m[0].length];
    }
    default: {
      if (next === '0') {
        const octal = /^\\(0[0-7]{0,2})/.exec(pattern.slice(at))!;
        return [`\\u{${parseInt(octal[1]!, 8).toString(16)}}`, octal[0].length];
      }
      if (next >= '1' && next <= '9') break;
      if ('dDwWbBfnrtv'.includes(next)) {
        if (inClass && 'bB'.includes(next)) break;
        return [`\\${next}`, 2];
      }
      if (/[A-Za-z0-9]/.test(next)) break;
      const cp = String.fromCodePoint(pattern.codePointAt(at + 1)!);
      return [literalChar(cp, inClass), 1 + cp.length];
    }
  }
  throw new UnsupportedRe2Error(pattern, `escape \\${next}${inClass ? ' inside a class' : ''}`);
}

/** A character that must match only itself. */
function literalChar(ch: string, inClass: boolean): string {
  if (/[A-Za-z0-9 _]/.test(ch)) return ch;
  if (JS_SYNTAX.has(ch) || (inClass && ch === '-')) return `\\${ch}`;
  return `\\u{${ch.codePointAt(0)!.toString(16)}}`;
}
