import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defang, refang } from './index.js';

const REFANG: ReadonlyArray<readonly [string, string]> = [
  ['hxxp://evil[.]com/x', 'http://evil.com/x'],
  ['hxxps://evil[.]com', 'https://evil.com'],
  ['HXXPS://evil(.)com', 'https://evil.com'],
  ['hXXp[://]evil{.}com', 'http://evil.com'],
  ['hxxp[:]//evil[dot]com', 'http://evil.com'],
  ['h**p://evil(dot)com', 'http://evil.com'],
  ['h__ps://evil.com', 'https://evil.com'],
  ['fxp://files[.]example[.]org', 'ftp://files.example.org'],
  ['evil [.] com', 'evil.com'],
  ['evil[ . ]com', 'evil.com'],
  ['evil[DOT]com', 'evil.com'],
  ['user[@]evil[.]com', 'user@evil.com'],
  ['user[at]evil[.]com', 'user@evil.com'],
  ['evil\\.com', 'evil.com'],
  ['http://evil.com[/]x', 'http://evil.com/x'],
  ['1[.]2[.]3[.]4', '1.2.3.4'],
  ['no change here: http://fine.example/x', 'no change here: http://fine.example/x'],
  ['see (a) and [b]', 'see (a) and [b]'],
];

for (const [input, expected] of REFANG) {
  test(`refang(${JSON.stringify(input)}) = ${JSON.stringify(expected)}`, () => assert.equal(refang(input), expected));
}

const DEFANG: ReadonlyArray<readonly [string, string]> = [
  ['http://www.evil.com/a.php?x=1.2', 'hxxp://www[.]evil[.]com/a.php?x=1.2'],
  ['https://evil.com', 'hxxps://evil[.]com'],
  ['ftp://files.example.org/pub.tar', 'fxp://files[.]example[.]org/pub.tar'],
  ['evil.com', 'evil[.]com'],
  ['1.2.3.4', '1[.]2[.]3[.]4'],
  ['2606:4700::1111', '2606:4700::1111'],
  ['44d88612fea8a8f36de82e1278abb02f', '44d88612fea8a8f36de82e1278abb02f'],
];

for (const [input, expected] of DEFANG) {
  test(`defang(${JSON.stringify(input)}) = ${JSON.stringify(expected)} and refang undoes it`, () => {
    assert.equal(defang(input), expected);
    assert.equal(refang(defang(input)), input);
  });
}
