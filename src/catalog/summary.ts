import { Lexer, Token, Tokens } from 'marked';

/*
 * A catalog hit's summary: the words of the card's Markdown as plain text,
 * with the words the person searched for marked. Markdown is read by a
 * Markdown lexer (the `marked` that JupyterLab's own parser uses), never
 * turned into HTML: the summary is React text, so nothing in a card can
 * reach the page as markup from here.
 */

/** Sentence ends: a block that ends otherwise gets a separator. */
const ENDED = /[.!?…:;]$/u;

/** Raw HTML whose content is no prose: dropped with what it holds. */
const HIDDEN_OPEN = /^<(script|style|iframe|noscript|template)\b/i;
const HIDDEN_CLOSE = /^<\/(script|style|iframe|noscript|template)\s*>/i;

/** The words of a card's Markdown as one line of plain text. */
export function markdownText(source: string): string {
  const tokens = Lexer.lex(source, { gfm: true, breaks: false });
  return blocks(tokens).filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
}

/** One text per block, in reading order. */
function blocks(tokens: Token[]): string[] {
  const out: string[] = [];
  for (const token of tokens) {
    const block = token as Tokens.Generic;
    switch (token.type) {
      case 'heading': {
        const text = inline(block.tokens ?? []);
        // "## Intended use" runs into what follows it: mark where it ends
        out.push(text && !ENDED.test(text) ? `${text}:` : text);
        break;
      }
      case 'paragraph':
      case 'text':
        out.push(inline(block.tokens ?? [{ ...block, tokens: undefined }]));
        break;
      case 'blockquote':
        out.push(...blocks(block.tokens ?? []));
        break;
      case 'list': {
        const items = (token as Tokens.List).items
          .map(item => blocks(item.tokens).join(' ').trim())
          .filter(Boolean);
        out.push(
          items
            .map((item, index) =>
              index < items.length - 1 && !ENDED.test(item) ? `${item};` : item
            )
            .join(' ')
        );
        break;
      }
      case 'table': {
        const table = token as Tokens.Table;
        const cells = [table.header, ...table.rows].flatMap(row =>
          row.map(cell => inline(cell.tokens))
        );
        out.push(cells.filter(Boolean).join(', '));
        break;
      }
      case 'code':
        out.push((token as Tokens.Code).text);
        break;
      // raw HTML, link definitions, rules and blank lines say nothing
      default:
        break;
    }
  }
  return out;
}

/** The words of inline tokens; raw HTML tags go, a script's content too. */
function inline(tokens: Token[]): string {
  let text = '';
  let hidden = 0;
  for (const token of tokens) {
    const piece = token as Tokens.Generic;
    if (token.type === 'html') {
      const raw = (token as Tokens.Tag).raw.trim();
      if (HIDDEN_OPEN.test(raw) && !/<\/\w+\s*>$/.test(raw)) {
        hidden += 1;
      } else if (HIDDEN_CLOSE.test(raw) && hidden > 0) {
        hidden -= 1;
      }
      continue;
    }
    if (hidden > 0) {
      continue;
    }
    switch (token.type) {
      case 'text':
        text += piece.tokens ? inline(piece.tokens) : piece.text;
        break;
      case 'escape':
      case 'codespan':
        text += piece.text;
        break;
      case 'br':
        text += ' ';
        break;
      case 'strong':
      case 'em':
      case 'del':
      case 'link':
        text += inline(piece.tokens ?? []);
        break;
      // an image is no words of the summary
      default:
        break;
    }
  }
  return text;
}

/** A piece of a summary: marked when it is a word searched for. */
export interface ISummaryPart {
  text: string;
  marked: boolean;
}

/**
 * A word as the search compares it: lower case, "ё" without its dots, as
 * the search finds "уйдёт" by "уйдет" and the other way round.
 */
function folded(word: string): string {
  return word.toLocaleLowerCase().replace(/ё/g, 'е');
}

/** A letter or digit, then more of them (a word in any script). */
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}_'’-]*/gu;

/**
 * The words a search looks for: its words and quoted phrases' words,
 * without the excluded (`-word`) ones and the `OR` between alternatives.
 */
export function searchedWords(query: string): string[] {
  const words: string[] = [];
  const pattern = /(-?)"([^"]*)"?|(-?)(\S+)/g;
  for (const match of query.matchAll(pattern)) {
    const excluded = (match[1] || match[3]) === '-';
    const text = match[2] ?? match[4] ?? '';
    if (excluded || text === 'OR' || text === 'or') {
      continue;
    }
    for (const word of text.matchAll(WORD)) {
      words.push(folded(word[0]));
    }
  }
  return words;
}

/**
 * The summary cut into parts, the words that begin with a searched word
 * or with one of `found` (how the search's answer says the words it found
 * begin: each word and its stem, so "абоненты" marks "абонентов") marked,
 * "ё" and "е" alike.
 */
export function markWords(
  text: string,
  query: string,
  found: readonly string[] = []
): ISummaryPart[] {
  const searched = [...searchedWords(query), ...found.map(folded)];
  if (searched.length === 0) {
    return text ? [{ text, marked: false }] : [];
  }
  const parts: ISummaryPart[] = [];
  let plain = '';
  let last = 0;
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    const lower = folded(word);
    if (!searched.some(term => lower.startsWith(term))) {
      continue;
    }
    plain += text.slice(last, match.index);
    if (plain) {
      parts.push({ text: plain, marked: false });
      plain = '';
    }
    parts.push({ text: word, marked: true });
    last = (match.index ?? 0) + word.length;
  }
  plain += text.slice(last);
  if (plain) {
    parts.push({ text: plain, marked: false });
  }
  return parts;
}

/** How far into a hit's summary a marked word may start and still be seen. */
const SHOWN_START = 60;
/** How much of what comes before it a cut summary keeps. */
const CUT_LEAD = 30;

/**
 * The marked summary from a little before its first marked word, when that
 * word starts past what a hit shows (its summary is three lines in the
 * sidebar): a person sees why the model was found, as a search engine's
 * snippet does. The cut starts at a word, after an ellipsis.
 */
export function fromFirstMark(parts: ISummaryPart[]): ISummaryPart[] {
  const first = parts.findIndex(part => part.marked);
  if (first <= 0) {
    return parts;
  }
  const before = parts
    .slice(0, first)
    .map(part => part.text)
    .join('');
  if (before.length <= SHOWN_START) {
    return parts;
  }
  const space = before.indexOf(' ', before.length - CUT_LEAD);
  let cut = space < 0 ? before.length - CUT_LEAD : space + 1;
  if (/[\udc00-\udfff]/.test(before.charAt(cut))) {
    cut -= 1; // not between the halves of one character (an emoji, a rare letter)
  }
  const kept = before.slice(cut);
  return [{ text: `…${kept}`, marked: false }, ...parts.slice(first)];
}
