// A resource's narrative (`text.div`, limited XHTML) as plain text. The result is text, never markup: callers render
// it as a React text node, so a narrative that smuggles in `<script>` or an event handler shows as words, if at all.

/** Elements whose content is not text at all: dropped with their content. */
const DROPPED = new Set(["script", "style", "template", "iframe", "object", "noscript", "svg", "math", "head", "title"]);

/** Elements that start a new line where they open and where they close. */
const BLOCK = new Set([
  "address", "article", "aside", "blockquote", "caption", "dd", "div", "dl", "dt", "figcaption", "figure", "footer",
  "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section", "table", "tbody", "tfoot",
  "thead", "tr", "ul",
]);

/** Table cells: separated by " | " on their row's line. */
const CELL = new Set(["td", "th"]);

// Private markers in the intermediate text; any control characters in the input are removed first.
const LINE = "\n";
const CELL_END = "\u0001";

const NAMED: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", ensp: " ", emsp: " ", thinsp: " ",
  copy: "©", reg: "®", trade: "™", deg: "°", plusmn: "±", micro: "µ", times: "×", divide: "÷", middot: "·",
  ndash: "–", mdash: "—", hellip: "…", lsquo: "‘", rsquo: "’", ldquo: "“", rdquo: "”", laquo: "«", raquo: "»",
  bull: "•", le: "≤", ge: "≥", ne: "≠", asymp: "≈", sup1: "¹", sup2: "²", sup3: "³", frac12: "½", frac14: "¼",
  frac34: "¾", para: "¶", sect: "§", euro: "€", pound: "£", yen: "¥", cent: "¢", larr: "←", rarr: "→", uarr: "↑",
  darr: "↓", alpha: "α", beta: "β", gamma: "γ", delta: "δ", mu: "μ", shy: "",
};

/** A numeric reference's character; other control characters, surrogates and out-of-range numbers are U+FFFD. */
function codePoint(n: number): string {
  if (n === 9 || n === 10 || n === 13) return " "; // whitespace in HTML text, collapsed like any other
  const control = n < 0x20 || (n >= 0x7f && n < 0xa0);
  const valid = !control && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff);
  return valid ? String.fromCodePoint(n) : "\ufffd";
}

/** One pass over the text: `&amp;lt;` becomes `&lt;`, not `<`. Unknown names stay as written. */
function decodeEntities(text: string): string {
  return text.replace(/&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,8})|([A-Za-z][A-Za-z0-9]{1,31}));/g, (whole, dec, hex, name) => {
    if (dec !== undefined) return codePoint(Number.parseInt(dec, 10));
    if (hex !== undefined) return codePoint(Number.parseInt(hex, 16));
    return Object.hasOwn(NAMED, name) ? NAMED[name]! : whole;
  });
}

/** The end of the tag that opens at `start` (the index of its `>`), or -1 when the input ends inside it. */
function tagEnd(s: string, start: number): number {
  let quote: string | null = null;
  let afterEquals = false;
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if ((c === '"' || c === "'") && afterEquals) {
      quote = c;
    } else if (c === ">") {
      return i;
    }
    if (c === "=") afterEquals = true;
    else if (!/\s/.test(c)) afterEquals = false;
  }
  return -1;
}

/**
 * Plain text of an XHTML narrative: tags removed (script/style with their content), entities decoded once,
 * whitespace collapsed, one line per paragraph, list item, table row, line break or other block. Null when there is
 * no text. Linear in the input.
 */
export function narrativeText(div: unknown): string | null {
  if (typeof div !== "string") return null;
  const s = div.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "");
  const parts: string[] = [];
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf("<", i);
    if (lt === -1) {
      parts.push(s.slice(i).replace(/\s+/g, " "));
      break;
    }
    parts.push(s.slice(i, lt).replace(/\s+/g, " "));
    if (s.startsWith("<!--", lt)) {
      const close = s.indexOf("-->", lt + 4);
      i = close === -1 ? s.length : close + 3;
      continue;
    }
    if (s.startsWith("<![CDATA[", lt)) {
      const close = s.indexOf("]]>", lt + 9);
      const end = close === -1 ? s.length : close;
      // CDATA is literal text: its "&" must survive the entity pass as written.
      parts.push(s.slice(lt + 9, end).replace(/\s+/g, " ").replace(/&/g, "&amp;"));
      i = close === -1 ? s.length : close + 3;
      continue;
    }
    const next = s[lt + 1] ?? "";
    if (!/[A-Za-z/!?]/.test(next)) {
      // A lone "<" (not valid XHTML, but seen): it is text.
      parts.push("&lt;");
      i = lt + 1;
      continue;
    }
    const end = tagEnd(s, lt);
    if (end === -1) break; // The input ends inside a tag: nothing after it is text.
    const name = /^\/?\s*([A-Za-z][\w:.-]*)/.exec(s.slice(lt + 1, Math.min(end, lt + 64)))?.[1]?.toLowerCase() ?? "";
    const local = name.includes(":") ? name.slice(name.indexOf(":") + 1) : name;
    const closing = next === "/";
    const selfClosing = s[end - 1] === "/";
    i = end + 1;
    if (DROPPED.has(local) && !closing && !selfClosing) {
      const closer = new RegExp(`<\\/\\s*(?:[\\w.-]+:)?${local}\\b[^>]*>`, "gi");
      closer.lastIndex = i;
      const match = closer.exec(s);
      i = match ? match.index + match[0].length : s.length;
      continue;
    }
    if (local === "br" || BLOCK.has(local)) parts.push(LINE);
    else if (CELL.has(local) && closing) parts.push(CELL_END);
  }

  const lines = decodeEntities(parts.join(""))
    .split(LINE)
    .map((line) =>
      line
        .split(CELL_END)
        .map((cell) => cell.replace(/\s+/g, " ").trim())
        .filter((cell) => cell !== "")
        .join(" | "),
    )
    .filter((line) => line !== "");
  return lines.length > 0 ? lines.join("\n") : null;
}
