/**
 * The trade desk: the orders a member is party to (`/orders`), one order's page (`/orders/<id>`) and the importer's
 * new order (`/orders/new`). Each is read with TanStack queries, which the shell refreshes when the read model
 * indexes a block, so a tranche paid appears without a reload.
 */
import { Suspense, lazy } from "react";
import { Spin } from "antd";
import { useLocation } from "wouter";

import { OrderList } from "./OrderList";

// The form (with the SDK's order rules) and the order's page are chunks of their own: the list loads first.
const CreateOrder = lazy(() => import("./CreateOrder").then((m) => ({ default: m.CreateOrder })));
const OrderPage = lazy(() => import("./OrderPage").then((m) => ({ default: m.OrderPage })));

export default function Orders() {
  const [location] = useLocation();
  const sub = /^\/orders\/([^/]+)$/.exec(location)?.[1];
  if (sub === undefined) return <OrderList />;
  return <Suspense fallback={<Spin />}>{sub === "new" ? <CreateOrder /> : <OrderPage id={sub} />}</Suspense>;
}
