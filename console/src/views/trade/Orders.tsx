/**
 * The trade desk: the orders a member is party to (`/orders`), one order's page (`/orders/<id>`) and the importer's
 * new order (`/orders/new`). Each is read with TanStack queries, which the shell refreshes when the read model
 * indexes a block, so a tranche paid appears without a reload.
 */
import { useLocation } from "wouter";

import { CreateOrder } from "./CreateOrder";
import { OrderList } from "./OrderList";
import { OrderPage } from "./OrderPage";

export default function Orders() {
  const [location] = useLocation();
  const sub = /^\/orders\/([^/]+)$/.exec(location)?.[1];
  if (sub === "new") return <CreateOrder />;
  if (sub !== undefined) return <OrderPage id={sub} />;
  return <OrderList />;
}
