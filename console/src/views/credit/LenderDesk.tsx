/**
 * The lender's desk: the member's loans (with repayments and status changes), a loan registered by hand, the
 * nightly loan file, and a borrower checked before lending. Each panel is a sub-path of /credit.
 */
import { Tabs } from "antd";
import { useLocation } from "wouter";
import { useTranslation } from "react-i18next";

import { CheckBorrower } from "./CheckBorrower";
import { MyLoans } from "./MyLoans";
import { RegisterLoan } from "./RegisterLoan";
import { UploadFile } from "./UploadFile";

const PANELS = ["loans", "register", "upload", "check"] as const;

export default function LenderDesk() {
  const { t } = useTranslation("credit");
  const [location, navigate] = useLocation();
  const sub = location.replace(/^\/credit\/?/, "");
  const active = (PANELS as readonly string[]).includes(sub) ? sub : "loans";
  return (
    <>
      <h1>{t("title")}</h1>
      <Tabs
        activeKey={active}
        onChange={(key) => navigate(key === "loans" ? "/credit" : `/credit/${key}`)}
        destroyOnHidden
        items={[
          { key: "loans", label: t("tab.loans"), children: <MyLoans /> },
          { key: "register", label: t("tab.register"), children: <RegisterLoan /> },
          { key: "upload", label: t("tab.upload"), children: <UploadFile /> },
          { key: "check", label: t("tab.check"), children: <CheckBorrower /> },
        ]}
      />
    </>
  );
}
