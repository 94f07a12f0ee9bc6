/**
 * The signed-in desk: the bearer token entered at sign-in (kept in this tab's sessionStorage, never a signing key:
 * the service signs), the client that sends it, and who the service says the token is (`GET /v1/me`).
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";

import { makeClient, unwrap, type Api, type Schemas } from "./api/client";

export type Role = Schemas["Me"]["roles"][number];
export type Me = Schemas["Me"];

interface Session {
  token: string;
  api: Api;
  me: Me;
  signOut: (reason?: string) => void;
}

const STORAGE_KEY = "tradeline.token";
const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error("useSession outside a signed-in page");
  return session;
}

/** The token this tab holds, and how to set or clear it. */
export function useToken(): [string | undefined, (token: string | undefined) => void] {
  const [token, setToken] = useState<string | undefined>(() => sessionStorage.getItem(STORAGE_KEY) ?? undefined);
  const set = useCallback((next: string | undefined) => {
    if (next === undefined) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, next);
    setToken(next);
  }, []);
  return [token, set];
}

/** Checks the token with `/v1/me`; renders `children` with the session, or `fallback(error)` while it is refused. */
export function SessionProvider(props: {
  token: string;
  signOut: (reason?: string) => void;
  children: ReactNode;
  pending: ReactNode;
  refused: (error: unknown) => ReactNode;
}) {
  const { token, signOut } = props;
  const queryClient = useQueryClient();
  const out = useCallback(
    (reason?: string) => {
      queryClient.clear();
      signOut(reason);
    },
    [queryClient, signOut],
  );
  const api = useMemo(() => makeClient(token, out), [token, out]);
  const me = useQuery({
    queryKey: ["me", token],
    queryFn: () => unwrap(api.GET("/v1/me")),
    retry: false,
    staleTime: Infinity,
  });
  const session = useMemo(
    () => (me.data === undefined ? undefined : { token, api, me: me.data, signOut: out }),
    [token, api, me.data, out],
  );
  if (me.error !== null) return <>{props.refused(me.error)}</>;
  if (session === undefined) return <>{props.pending}</>;
  return <SessionContext.Provider value={session}>{props.children}</SessionContext.Provider>;
}
