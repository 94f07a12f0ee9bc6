/**
 * The console's views and the roles that see them. Each view is its own chunk, loaded when first opened, so the
 * first page carries only the shell (and the regulator's charts load only for the regulator).
 */
import { lazy, type ComponentType, type LazyExoticComponent } from "react";

import type { Role } from "../session";

export interface ViewDef {
  /** The hash path, e.g. `/orders`; a view may own the paths under it (`/orders/12`). */
  path: string;
  /** The key of its name in the `common` namespace (`nav.<key>`). */
  nav: string;
  roles: readonly Role[];
  component: LazyExoticComponent<ComponentType>;
}

const TRADE: readonly Role[] = ["exporter", "importer", "bank-treasury", "regulator"];

export const VIEWS: readonly ViewDef[] = [
  { path: "/", nav: "overview", roles: [], component: lazy(() => import("./Overview")) },
  { path: "/orders", nav: "orders", roles: TRADE, component: lazy(() => import("./trade/Orders")) },
  { path: "/credit", nav: "credit", roles: ["lender-desk"], component: lazy(() => import("./credit/LenderDesk")) },
  {
    path: "/scf",
    nav: "scf",
    roles: ["supply-chain-desk", "bank-treasury"],
    component: lazy(() => import("./scf/ScfDesk")),
  },
  {
    path: "/supervision",
    nav: "supervision",
    roles: ["regulator"],
    component: lazy(() => import("./regulator/Supervision")),
  },
];

/** The views a token's roles open (the overview is open to every token). */
export function viewsFor(roles: readonly Role[]): ViewDef[] {
  return VIEWS.filter((v) => v.roles.length === 0 || v.roles.some((r) => roles.includes(r)));
}

/** The view owning a hash path: the longest registered prefix. */
export function viewAt(views: readonly ViewDef[], location: string): ViewDef | undefined {
  return [...views]
    .sort((a, b) => b.path.length - a.path.length)
    .find((v) => location === v.path || (v.path !== "/" && location.startsWith(`${v.path}/`)) || v.path === location);
}
