import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../core/tokenize.ts';
import { UserError } from '../../../core/errors.ts';

describe('tokenize', () => {
  it('splits on any whitespace, ideographic spaces included', () => {
    expect(tokenize('  host\t10.0.0.12 　 extra ')).toEqual(['host', '10.0.0.12', 'extra']);
  });
  it('groups quoted words with ASCII, curly and CJK quotes', () => {
    expect(tokenize(`silence alertname=Foo 2h "db maintenance"`)).toEqual(['silence', 'alertname=Foo', '2h', 'db maintenance']);
    expect(tokenize(`kb note abc “重启后 恢复”`)).toEqual(['kb', 'note', 'abc', '重启后 恢复']);
    expect(tokenize(`kb 「内存 溢出」 'x y'`)).toEqual(['kb', '内存 溢出', 'x y']);
  });
  it('keeps empty quoted words and escapes', () => {
    expect(tokenize(`a "" b\\ c`)).toEqual(['a', '', 'b c']);
    expect(tokenize(`say "a \\"quoted\\" word"`)).toEqual(['say', 'a "quoted" word']);
  });
  it('joins quotes inside a word', () => {
    expect(tokenize(`namespace="my ns"`)).toEqual(['namespace=my ns']);
  });
  it('refuses an unclosed quote with a UserError naming the closer', () => {
    expect(() => tokenize('kb "oops')).toThrow(UserError);
    expect(() => tokenize('kb “oops')).toThrow(/”/);
  });
});
