// A terminal's screen as an SVG picture: the text `tmux capture-pane -p -e` prints (lines with
// SGR escape sequences) drawn cell by cell — colours (the 16 named, the 256-colour palette, 24-bit),
// bold, italic, underline, reverse — on a dark background. Made for the README's picture of
// Neovim showing tph lsp's hints (nvim_screen_test.ts); `screenText` gives the characters alone, to
// compare a picture's text with another's.

/** The 16 named colours (xterm's defaults, a little softened), 0–7 then the bright 8–15. */
const NAMED = [
  "#1e1e1e",
  "#cd3131",
  "#0dbc79",
  "#e5e510",
  "#2472c8",
  "#bc3fbc",
  "#11a8cd",
  "#e5e5e5",
  "#666666",
  "#f14c4c",
  "#23d18b",
  "#f5f543",
  "#3b8eea",
  "#d670d6",
  "#29b8db",
  "#ffffff",
];
const FOREGROUND = "#d4d4d4";
const BACKGROUND = "#1e1e1e";

const hex2 = (n: number) => n.toString(16).padStart(2, "0");
const rgb = (r: number, g: number, b: number) => `#${hex2(r)}${hex2(g)}${hex2(b)}`;

/** Colour `n` of the 256-colour palette. */
function palette(n: number): string {
  if (n < 16) return NAMED[n];
  if (n < 232) {
    const steps = [0, 95, 135, 175, 215, 255];
    const k = n - 16;
    return rgb(steps[Math.floor(k / 36)], steps[Math.floor(k / 6) % 6], steps[k % 6]);
  }
  const level = 8 + (n - 232) * 10;
  return rgb(level, level, level);
}

interface Style {
  fg: string | null;
  bg: string | null;
  bold: boolean;
  italic: boolean;
  underline: boolean;
  reverse: boolean;
}

const plain = (): Style => ({
  fg: null,
  bg: null,
  bold: false,
  italic: false,
  underline: false,
  reverse: false,
});

/** Apply an SGR sequence's parameters to `s`. */
function applySgr(s: Style, params: number[]): void {
  if (params.length === 0) params = [0];
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p === 0) Object.assign(s, plain());
    else if (p === 1) s.bold = true;
    else if (p === 3) s.italic = true;
    else if (p === 4) s.underline = true;
    else if (p === 7) s.reverse = true;
    else if (p === 22) s.bold = false;
    else if (p === 23) s.italic = false;
    else if (p === 24) s.underline = false;
    else if (p === 27) s.reverse = false;
    else if (p >= 30 && p <= 37) s.fg = NAMED[p - 30];
    else if (p >= 90 && p <= 97) s.fg = NAMED[p - 90 + 8];
    else if (p >= 40 && p <= 47) s.bg = NAMED[p - 40];
    else if (p >= 100 && p <= 107) s.bg = NAMED[p - 100 + 8];
    else if (p === 39) s.fg = null;
    else if (p === 49) s.bg = null;
    else if (p === 38 || p === 48 || p === 58) {
      // An extended colour: 5;n or 2;r;g;b (58, the underline's colour, is read over).
      let colour: string | null = null;
      if (params[i + 1] === 5) {
        colour = palette(params[i + 2] ?? 0);
        i += 2;
      } else if (params[i + 1] === 2) {
        colour = rgb(params[i + 2] ?? 0, params[i + 3] ?? 0, params[i + 4] ?? 0);
        i += 4;
      }
      if (p === 38) s.fg = colour;
      else if (p === 48) s.bg = colour;
    }
  }
}

interface Cell {
  ch: string;
  style: Style;
}

/** The screen's cells, row by row (styles carry over line ends, as in a terminal). */
function cells(captured: string): Cell[][] {
  const rows: Cell[][] = [];
  const style = plain();
  for (const line of captured.replace(/\n$/, "").split("\n")) {
    const row: Cell[] = [];
    // CSI sequences: ESC [ params letter; only SGR (m) changes anything.
    // deno-lint-ignore no-control-regex
    const parts = line.split(/(\x1b\[[0-9;:]*[A-Za-z])/);
    for (const part of parts) {
      if (part.startsWith("\x1b[")) {
        if (part.endsWith("m")) {
          applySgr(style, part.slice(2, -1).split(/[;:]/).filter((x) => x !== "").map(Number));
        }
        continue;
      }
      for (const ch of part) {
        if (ch < " ") continue;
        row.push({ ch, style: { ...style } });
      }
    }
    rows.push(row);
  }
  return rows;
}

/** The screen's characters, each line's trailing spaces left out. */
export function screenText(captured: string): string {
  return cells(captured).map((r) => r.map((c) => c.ch).join("").trimEnd()).join("\n");
}

const escapeXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The screen's text a picture made by terminalSvg holds, or null. */
export function pictureText(svg: string): string | null {
  const m = /<desc>([^]*?)<\/desc>/.exec(svg);
  return m === null
    ? null
    : m[1].replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/**
 * The screen `captured` shows as an SVG picture of `columns` × its lines.
 *
 * @param captured `tmux capture-pane -p -e`'s output.
 * @param columns The pane's width.
 * @param title The picture's title (for screen readers).
 */
export function terminalSvg(captured: string, columns: number, title: string): string {
  const cw = 8.4, lh = 18, pad = 12, size = 14;
  const rows = cells(captured);
  const width = Math.ceil(columns * cw + 2 * pad);
  const height = Math.ceil(rows.length * lh + 2 * pad);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    // The screen's text, for readers and for comparing a picture with a new one (pictureText).
    `<desc>${escapeXml(screenText(captured))}</desc>`,
    `<rect width="100%" height="100%" rx="6" fill="${BACKGROUND}"/>`,
    `<g font-family="ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace" ` +
    `font-size="${size}">`,
  ];
  rows.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      // A run of cells of one style: one rectangle for its background, one text.
      const s = row[x].style;
      let end = x + 1;
      while (end < row.length && JSON.stringify(row[end].style) === JSON.stringify(s)) end++;
      const fg = s.reverse ? s.bg ?? BACKGROUND : s.fg ?? FOREGROUND;
      const bg = s.reverse ? s.fg ?? FOREGROUND : s.bg;
      const left = (pad + x * cw).toFixed(1), top = pad + y * lh;
      if (bg !== null) {
        out.push(
          `<rect x="${left}" y="${top}" width="${((end - x) * cw).toFixed(1)}" height="${lh}" ` +
            `fill="${bg}"/>`,
        );
      }
      const text = row.slice(x, end).map((c) => c.ch).join("");
      if (text.trim() !== "") {
        const attrs = [
          `x="${left}"`,
          `y="${top + 13}"`,
          `fill="${fg}"`,
          `textLength="${((end - x) * cw).toFixed(1)}"`,
          `lengthAdjust="spacingAndGlyphs"`,
        ];
        if (s.bold) attrs.push(`font-weight="bold"`);
        if (s.italic) attrs.push(`font-style="italic"`);
        if (s.underline) attrs.push(`text-decoration="underline"`);
        // No-break spaces: a viewer collapses runs of spaces in SVG text, whatever xml:space says.
        out.push(`<text ${attrs.join(" ")}>${escapeXml(text).replace(/ /g, "\u00a0")}</text>`);
      }
      x = end;
    }
  });
  out.push("</g>", "</svg>", "");
  return out.join("\n");
}
