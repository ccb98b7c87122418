import MarkdownIt from 'markdown-it';

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

// Raw HTML is escaped (html: false), so the only markup is what markdown-it itself writes.
const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
// Images would make readers' browsers fetch from other hosts: `![alt](url)` becomes a plain link.
md.disable('image');
// Only absolute web and mail links: no javascript:, data:, relative or protocol-relative targets.
md.validateLink = (url) => SAFE_LINK.test(url.trim());

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  // An empty destination ("[x]()") skips validateLink; an anchor without href goes nowhere.
  if (!SAFE_LINK.test(String(token.attrGet('href') ?? ''))) token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'href');
  token.attrSet('rel', 'nofollow noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** Renders an ask's Markdown to HTML that carries no raw HTML, no images and only http(s)/mailto links. */
export function renderMarkdown(source: string): string {
  return md.render(source);
}
