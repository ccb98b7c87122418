import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { Translator } from '../i18n.js';

/** The signed-in person as the layout needs them. */
export interface Viewer {
  id: string;
  displayName: string;
  role: 'user' | 'moderator' | 'admin';
  /** Whether they confirmed their e-mail address: until then they may look around and set up their profile, not act. */
  confirmed: boolean;
}

/** A link modules contribute to a place of the layout: where it goes and the message key of its text. */
export interface PageLink {
  href: string;
  label: string;
}

/** Everything a page component may need from the request, passed explicitly. */
export interface PageContext {
  i18n: Translator;
  nonce: string;
  csrfToken: string;
  path: string;
  viewer: Viewer | undefined;
  assets: { css: string; js: string };
  /** The links of the header and of the account page that this viewer may see, as the modules declare them. */
  links: { nav: PageLink[]; account: PageLink[] };
}

/** Renders a full HTML document; Preact escapes every interpolated value. */
export function renderDocument(node: VNode): string {
  return `<!doctype html>${renderToString(node)}`;
}

export type Children = ComponentChildren;
