/** The trade reads, as TanStack queries (keys under "trade", refreshed by the shell's stream). */
import { useQuery } from "@tanstack/react-query";

import { unwrap, type Schemas } from "../../api/client";
import { useSession } from "../../session";

export type Order = Schemas["Order"];
export type OrderSummary = Schemas["OrderSummary"];
export type Payment = Schemas["TradePayment"];

export function useOrders(party: number | undefined) {
  const { api } = useSession();
  return useQuery({
    queryKey: ["trade", "orders", party],
    // JSON is asked for (no format=csv), so the answer is the array of the schema's two.
    queryFn: async () =>
      (await unwrap(
        api.GET("/v1/trade/orders", { params: { query: party === undefined ? {} : { party } } }),
      )) as OrderSummary[],
  });
}

export function useOrder(id: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: ["trade", "order", id],
    queryFn: () => unwrap(api.GET("/v1/trade/orders/{id}", { params: { path: { id } } })),
  });
}

export function useCurrencies() {
  const { api } = useSession();
  return useQuery({
    queryKey: ["trade", "currencies"],
    queryFn: () => unwrap(api.GET("/v1/trade/currencies")),
    staleTime: Infinity,
  });
}

export function useMembers() {
  const { api } = useSession();
  return useQuery({ queryKey: ["members"], queryFn: () => unwrap(api.GET("/v1/members")) });
}
