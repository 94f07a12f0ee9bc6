/**
 * The signed-in page: the menu of the views the token's roles open, who is signed in and for which member, the
 * language, the event stream's state, and the current view. The place is kept in the URL's hash (wouter), so a link
 * to an order can be shared and the service serves only `/`.
 */
import { Suspense, useCallback } from "react";
import { App as AntApp, Badge, Button, Layout, Menu, Space, Spin, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Router, useLocation } from "wouter";
import { useHashLocation } from "wouter/use-hash-location";

import { LanguageSelect } from "./components/LanguageSelect";
import { useSession } from "./session";
import { useLiveUpdates, type Notice } from "./stream";
import { viewAt, viewsFor } from "./views/registry";
import { AWARD_TRANCHE } from "./views/trade/format";

export function Shell() {
  return (
    <Router hook={useHashLocation}>
      <Frame />
    </Router>
  );
}

function Frame() {
  const { t } = useTranslation();
  const { me, token, signOut } = useSession();
  const { notification } = AntApp.useApp();
  const [location, navigate] = useLocation();
  const views = viewsFor(me.roles);
  const current = viewAt(views, location);

  const onNotice = useCallback(
    (n: Notice) => {
      // An arbiter's award is paid as tranche 254 (`TranchePaid`), which no order has: it is named, not numbered.
      const award = n.kind === "tranche.paid" && Number(n.data.tranche) === AWARD_TRANCHE;
      notification.info({
        // Orders by id, tranches counted from 1 as the order's page shows them (events count from 0).
        title: t(award ? "notice.award.paid" : `notice.${n.kind}`, {
          ...n.data,
          orderId: n.data.id,
          tranche: n.data.tranche === undefined ? undefined : Number(n.data.tranche) + 1,
          defaultValue: n.kind,
        }),
        placement: "bottomRight",
        duration: 6,
      });
    },
    [notification, t],
  );
  const stream = useLiveUpdates(token, onNotice, signOut);
  const streamBadge = { live: "success", connecting: "processing", offline: "error" } as const;

  const View = current?.component;
  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Layout.Header
        style={{ display: "flex", alignItems: "center", gap: 16, background: "#1f4e79", paddingInline: 24 }}
      >
        <Typography.Text strong style={{ color: "#fff", fontSize: 18 }}>
          {t("appName")}
        </Typography.Text>
        <span style={{ flex: 1 }} />
        <Space size="middle">
          <span style={{ color: "#fff" }} data-testid="who">
            {me.name}
            {me.member !== undefined && ` · ${t("memberId", { id: me.member.id })}`}
          </span>
          <span style={{ color: "#fff" }} role="status" aria-live="polite">
            <Badge status={streamBadge[stream]} text={<span style={{ color: "#fff" }}>{t(`stream.${stream}`)}</span>} />
          </span>
          <LanguageSelect />
          <Button size="small" onClick={() => signOut()}>
            {t("signOut")}
          </Button>
        </Space>
      </Layout.Header>
      <Layout>
        <Layout.Sider width={220} theme="light" breakpoint="lg" collapsedWidth={0}>
          <nav aria-label={t("nav.label")}>
            <Menu
              mode="inline"
              selectedKeys={current === undefined ? [] : [current.path]}
              // antd's menu items are focusable and answer Enter and the arrow keys themselves.
              items={views.map((v) => ({ key: v.path, label: t(`nav.${v.nav}`) }))}
              onClick={({ key }) => navigate(key)}
            />
          </nav>
        </Layout.Sider>
        <Layout.Content style={{ padding: 24 }}>
          <main>
            {View === undefined ? (
              <Typography.Paragraph>{t("notHere")}</Typography.Paragraph>
            ) : (
              <Suspense fallback={<Spin />}>
                <View />
              </Suspense>
            )}
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
