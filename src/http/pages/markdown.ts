/**
 * The Markdown the API's own texts use (route summaries, descriptions, parameters): `code` and
 * **strong**, rendered after escaping, so nothing in the text can inject markup.
 */
import { escapeHtml } from './html.js';

export function inlineMarkdown(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}
