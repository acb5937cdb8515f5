import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inlineMarkdown } from './markdown.js';

test('backticks become code and **x** strong, after escaping', () => {
  assert.equal(inlineMarkdown('`status` says ok or **degraded**'), '<code>status</code> says ok or <strong>degraded</strong>');
  assert.equal(inlineMarkdown('`<script>` & "q"'), '<code>&#60;script&#62;</code> &#38; &#34;q&#34;');
  assert.equal(inlineMarkdown('a lone ` stays'), 'a lone ` stays');
});
