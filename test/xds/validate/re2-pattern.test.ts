import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { envoyRoot } from '../../../src/xds/proto/envoy-protos.js';
import { PlanCompiler } from '../../../src/xds/validate/message-plan.js';
import { translateRe2, UnsupportedRe2Error } from '../../../src/xds/validate/re2-pattern.js';

describe('translateRe2', () => {
  it('keeps RE2 meaning where JavaScript differs', () => {
    expect(translateRe2('^a.b$').test('a\rb')).toBe(true); // RE2 `.` excludes only \n
    expect(translateRe2('^a.b$').test('a\nb')).toBe(false);
    expect(translateRe2('^\\s$').test('\v')).toBe(false); // RE2 \s has no \v
    expect(translateRe2('^\\s$').test('\u00a0')).toBe(false); // nor Unicode spaces
    expect(translateRe2('\\Aab\\z').test('ab')).toBe(true);
    expect(translateRe2('\\Aab\\z').test('ab\n')).toBe(false);
    expect(translateRe2('^\\012$').test('\n')).toBe(true); // octal
  });

  it('translates RE2-only spellings', () => {
    expect(translateRe2('(?i)^[a-z0-9]+$').test('ABC9')).toBe(true);
    expect(translateRe2('(?s)^a.b$').test('a\nb')).toBe(true);
    expect(translateRe2('^(?P<port>[0-9]+)$').exec('80')?.groups?.['port']).toBe('80');
    expect(translateRe2('^[[:alpha:]_]+$').test('ab_c')).toBe(true);
    expect(translateRe2('^[[:alpha:]_]+$').test('ab1')).toBe(false);
    expect(translateRe2('^\\Q.*+\\E$').test('.*+')).toBe(true);
    expect(translateRe2('^\\Q.*+\\E$').test('abc')).toBe(false);
    expect(translateRe2('^[0-9a-zA-Z_\\-\\.~:]+$').test('a-b.c~d:e')).toBe(true); // escaped punctuation, invalid in JS u-mode as is
    expect(translateRe2('^\\#\\@$').test('#@')).toBe(true);
    expect(translateRe2('^\\pL+$').test('héllo')).toBe(true);
    expect(translateRe2('^\\p{Greek}+$').test('αβ')).toBe(true);
    expect(translateRe2('^\\x{1F600}$').test('😀')).toBe(true);
    expect(translateRe2('^[]a]+$').test(']a')).toBe(true);
  });

  it('refuses what it cannot translate exactly, and what is not RE2', () => {
    for (const pattern of ['\\C', '(?U)a*', 'a(?i)b', '(?=a)', '(?<!a)b', '(a)\\1', '[[:^alpha:]]', '[\\S]', 'a[b']) {
      expect(() => translateRe2(pattern), pattern).toThrow(UnsupportedRe2Error);
    }
  });

  it('compiles every rule of every message type tsiod loads (so no pattern is left unchecked at run time)', () => {
    const compiler = new PlanCompiler();
    let types = 0;
    const visit = (ns: protobuf.NamespaceBase): void => {
      for (const nested of ns.nestedArray) {
        if (nested instanceof protobuf.Type) {
          types++;
          expect(() => compiler.plan(nested), nested.fullName).not.toThrow();
        }
        if (nested instanceof protobuf.Namespace) visit(nested);
      }
    };
    visit(envoyRoot());
    expect(types).toBeGreaterThan(400);
  });
});
