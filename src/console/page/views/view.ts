import type { Child } from '../dom';
import type { Route } from '../router';

/** What a view gets: its route, and a way to render it again (after an action) with a notice on top. */
export interface ViewContext {
  readonly route: Route;
  refresh(notice?: HTMLElement): void;
}

/** A view: fetches what it shows and returns the nodes of the page's main area. */
export type View = (context: ViewContext) => Promise<Child[]>;
