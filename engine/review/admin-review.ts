/**
 * GET /admin/review and /admin/review/<pair>: the review pages served by the running gateway, from
 * the LIVE mapping set, so a reload shows the new version. Read-only, mounted behind the gateway's
 * key check. Pages are cached per mapping set (a set never changes; a reload brings a new one), and
 * sent with a policy that allows no script at all, whatever a spec contains.
 */
import { Router, type Response } from 'express';
import type { MappingSet } from '../spec/load-mapping-set.js';
import type { MappingRegistry } from '../spec/registry.js';
import { html } from './html.js';
import { renderIndexPage } from './index-page.js';
import { renderPage } from './page.js';
import { renderPairPage, type ReviewLinks } from './pair-page.js';

export const REVIEW_BASE = '/admin/review';

const LINKS: ReviewLinks = { index: REVIEW_BASE, pair: (name) => `${REVIEW_BASE}/${encodeURIComponent(name)}` };

export function reviewRoutes(registry: MappingRegistry): Router {
  const pages = new WeakMap<MappingSet, Map<string, string>>();
  const router = Router();

  router.get('/', (_req, res) => {
    const set = registry.current();
    sendHtml(res, 200, renderIndexPage(set.pairs, set.schemas, { links: LINKS, note: `live set, loaded ${set.loadedAt.toISOString()}`, reload: registry.status() }));
  });

  router.get('/:pair', (req, res) => {
    const set = registry.current();
    const pair = set.pairs.find((p) => p.name === req.params.pair);
    if (!pair) {
      sendHtml(res, 404, renderPage({ title: 'No such pair', crumbs: html`<a href="${REVIEW_BASE}">← all pairs</a>`, body: html`<p>The live set has no pair named <code>${req.params.pair}</code>.</p>` }));
      return;
    }
    let cache = pages.get(set);
    if (!cache) pages.set(set, (cache = new Map()));
    let page = cache.get(pair.name);
    if (page === undefined) {
      page = renderPairPage(pair, set.schemas, { links: LINKS, note: `live set, loaded ${set.loadedAt.toISOString()}` });
      cache.set(pair.name, page);
    }
    sendHtml(res, 200, page);
  });
  return router;
}

function sendHtml(res: Response, status: number, page: string): void {
  res.status(status);
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cache-control', 'no-store');
  res.end(page);
}
