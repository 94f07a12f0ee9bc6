/**
 * The console: sign-in with a token, then the shell with the views the token's roles open. Ant Design's locale
 * follows the language chosen.
 */
import { Suspense, useCallback, useState } from "react";
import { App as AntApp, ConfigProvider, Spin } from "antd";
import enUS from "antd/locale/en_US";
import esES from "antd/locale/es_ES";
import zhCN from "antd/locale/zh_CN";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { describeError } from "./api/problem";
import { Shell } from "./Shell";
import { SignIn } from "./SignIn";
import { SessionProvider, useToken } from "./session";

const ANTD_LOCALES = { en: enUS, "zh-CN": zhCN, es: esES } as const;

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // A refusal is not retried (it would be refused again); a list is fresh until the stream says otherwise.
      queries: { retry: false, staleTime: 30_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

export function App({ queryClient = makeQueryClient() }: { queryClient?: QueryClient }) {
  const { t, i18n } = useTranslation();
  const [client] = useState(queryClient);
  const [token, setToken] = useToken();
  const [refusal, setRefusal] = useState<string>();
  const signOut = useCallback(() => setToken(undefined), [setToken]);
  const locale = ANTD_LOCALES[i18n.language as keyof typeof ANTD_LOCALES] ?? enUS;

  return (
    <ConfigProvider locale={locale} theme={{ token: { colorPrimary: "#1f4e79" } }}>
      <AntApp>
        <QueryClientProvider client={client}>
          {token === undefined ? (
            <SignIn
              refusal={refusal}
              onSignIn={(next) => {
                setRefusal(undefined);
                setToken(next);
              }}
            />
          ) : (
            <SessionProvider
              token={token}
              signOut={signOut}
              pending={<Spin fullscreen tip={t("signIn.checking")} />}
              refused={(error) => (
                <SignIn
                  refusal={describeError(t, error)}
                  onSignIn={(next) => {
                    setRefusal(undefined);
                    setToken(next);
                  }}
                />
              )}
            >
              <Suspense fallback={<Spin fullscreen />}>
                <Shell />
              </Suspense>
            </SessionProvider>
          )}
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}
