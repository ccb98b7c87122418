/**
 * What a module is: one folder under src/modules/ whose index.ts exports one `ModuleDefinition`.
 * `src/modules/index.ts` lists them, and everything that used to be wired by hand (routes, the
 * OpenAPI document, jobs and housekeeping, the header and account links, the data export, account
 * deletion, demo data, locale strings) loops over that list. The platform never imports a module:
 * modules are handed to it.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db, Executor } from '../db/client.js';
import type { I18n } from './i18n.js';
import type { JobHandler } from './jobs/worker.js';
import type { Json, PathItems } from './openapi/schema.js';
import type { Secrets } from './secrets.js';
import type { Viewer } from './views/render.js';

/** What every module's routes, jobs and hooks are given. */
export interface AppContext {
  config: Config;
  db: Db;
  i18n: I18n;
  secrets: Secrets;
  /** The modules of this app, in their order: for pieces that gather what each contributes (the export, deletion). */
  modules: readonly ModuleDefinition[];
  /** What modules put into the extension points other modules declare. */
  slots: Slots;
}

/** What a module documents in the OpenAPI document: its tag, its path items and the schemas they refer to. */
export interface ModuleApi {
  tag: { name: string; description: string };
  paths: PathItems;
  schemas?: Record<string, Json>;
}

/** A link a module adds to the header or to the account page; shown when `show` allows (everyone when left out). */
export interface ModuleLink {
  href: string;
  /** Message key of the link's text. */
  label: string;
  /** Lower comes first; links of the same order keep the module list's order. */
  order: number;
  show?: (viewer: Viewer | undefined) => boolean;
}

/** What happens to what a deleted person wrote: removed, or kept without their name. */
export type ContentMode = 'delete' | 'anonymise';

/**
 * A module's part of deleting an account. It runs inside the deletion transaction, before the
 * person's row goes, and either deletes what they wrote or detaches it from them. Anything it
 * leaves pointing at the user row must use `on delete cascade` or `set null`.
 */
export type DeletionHandler = (trx: Executor, userId: string, mode: ContentMode, ctx: AppContext) => Promise<void>;

/** A module's part of a person's data export: its keys are merged into the export document. */
export type ExportSection = (db: Executor, userId: string, ctx: AppContext) => Promise<Record<string, unknown>>;

/** Housekeeping a worker runs about once an hour; it must be idempotent. */
export type Maintenance = (db: Db['kysely']) => Promise<unknown>;

/** What a module's demo step may use; `person(email)` is a demo account (see modules/demo). */
export interface DemoContext {
  ctx: AppContext;
  log: Logger;
  person(email: string): Viewer;
}

/** One capability of Alongside, as one definition. Everything is optional but the name. */
export interface ModuleDefinition {
  /** The folder's name; also where its locale strings live (src/modules/<name>/locales/<language>.json). */
  name: string;
  /** Registers its pages and /api/v1 routes; every route declares its guard (see auth.ts). */
  routes?: (app: FastifyInstance, ctx: AppContext) => void;
  /** Its /api/v1 operations for the OpenAPI document. */
  api?: ModuleApi;
  /** Job handlers by kind. */
  jobs?: (ctx: AppContext) => Record<string, JobHandler>;
  /** Hourly housekeeping. */
  maintenance?: Maintenance[];
  /** Links in the site header. */
  nav?: ModuleLink[];
  /** Links on the account page. */
  accountLinks?: ModuleLink[];
  /** Its part of a person's data export. */
  exportSection?: ExportSection;
  /** Its part of deleting an account. */
  deletion?: DeletionHandler;
  /** What it puts into other modules' extension points. */
  fills?: readonly SlotFill[];
  /** Adds its demo data (after the modules before it in the list); returns counts of what it added. */
  demo?: (demo: DemoContext) => Promise<Record<string, number>>;
}

/** An extension point: a module declares it and calls `ctx.slots.all(slot)`; modules later in the list fill it. */
export interface Slot<T> {
  readonly name: string;
  /** Never set: carries the type of what fills the slot. */
  readonly type?: T;
}

/** One value put into a slot. */
export interface SlotFill {
  readonly slot: Slot<unknown>;
  readonly value: unknown;
}

/** Declares an extension point. */
export function slot<T>(name: string): Slot<T> {
  return { name };
}

/** Puts a value into a slot (from a module definition's `fills`). */
export function fill<T>(target: Slot<T>, value: T): SlotFill {
  return { slot: target as Slot<unknown>, value };
}

/** The values modules put into each slot, in the module list's order. */
export class Slots {
  readonly #values = new Map<Slot<unknown>, unknown[]>();

  constructor(modules: readonly ModuleDefinition[]) {
    for (const module of modules) {
      for (const { slot: target, value } of module.fills ?? []) {
        const list = this.#values.get(target) ?? [];
        list.push(value);
        this.#values.set(target, list);
      }
    }
  }

  /** Every value in the slot. */
  all<T>(target: Slot<T>): readonly T[] {
    return (this.#values.get(target as Slot<unknown>) ?? []) as T[];
  }
}

/** The links of every module for one place, in order, that the viewer may see. */
export function linksFor(modules: readonly ModuleDefinition[], place: 'nav' | 'accountLinks', viewer: Viewer | undefined): ModuleLink[] {
  return modules
    .flatMap((m) => m[place] ?? [])
    .filter((link) => !link.show || link.show(viewer))
    .sort((a, b) => a.order - b.order);
}

/** Checks the list once at start: names are unique and well formed. */
export function checkModules(modules: readonly ModuleDefinition[]): void {
  const seen = new Set<string>();
  for (const module of modules) {
    if (!/^[a-z][a-z0-9-]*$/.test(module.name)) throw new Error(`Module name "${module.name}" must be a folder name in lower case`);
    if (seen.has(module.name)) throw new Error(`Two modules are named "${module.name}"`);
    seen.add(module.name);
  }
}
