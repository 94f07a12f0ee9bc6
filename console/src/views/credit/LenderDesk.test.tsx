import { describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { CheckBorrower } from "./CheckBorrower";
import { MyLoans } from "./MyLoans";
import { RegisterLoan } from "./RegisterLoan";
import { UploadFile } from "./UploadFile";
import type { Me } from "../../session";
import { renderSignedIn } from "../../test/signed-in";

// antd forms typed into key by key are slow on a shared two-core machine.
vi.setConfig({ testTimeout: 30_000 });

const HUAXIA: Me = {
  name: "huaxia desk",
  roles: ["lender-desk"],
  member: { id: 3, status: "Active", jurisdiction: "CN" },
};
const HEADER = "loan_ref,id_type,id_number,product,principal,outstanding,originated,matures,salt";

describe("lender desk: upload", () => {
  it("test_upload_fileWithABadLine_showsItsLineNumberAndStartsNoJob", async () => {
    const { sent } = renderSignedIn(<UploadFile />, {
      me: HUAXIA,
      routes: {
        "POST /v1/credit/uploads": () => ({
          status: 400,
          body: {
            type: "https://tradeline.dev/problems/bad-file",
            title: "The file has bad lines; nothing was sent",
            status: 400,
            detail: "1 bad row(s); nothing was sent\n  line 3: expected 9 fields, found 2",
            errors: [{ pointer: "/lines/3", detail: "expected 9 fields, found 2" }],
          },
        }),
      },
    });
    const file = new File([`${HEADER}\nHX-1,CN-RIC,1101,ConsumerLoan,1,1,2026-03-01,2027-03-01,\nx,y\n`], "loans.csv", {
      type: "text/csv",
    });
    await screen.findByText("Choose a CSV file");
    const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
    await userEvent.upload(input, file);
    const table = await screen.findByRole("table", { name: "Lines to fix" });
    const row = within(table).getByText("expected 9 fields, found 2").closest("tr")!;
    expect(within(row).getByText("3")).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toContain("nothing was sent");
    // The file went to the service's check once, as text/csv, and nothing else: no job is followed or sent.
    const uploads = sent.filter((s) => s.path === "/v1/credit/uploads");
    expect(uploads).toHaveLength(1);
    expect(uploads[0].headers.get("content-type")).toMatch(/^text\/csv/);
    expect(uploads[0].body).toContain("x,y");
    expect(sent.filter((s) => s.path !== "/v1/me" && s.path !== "/v1/credit/uploads")).toEqual([]);
  });
});

describe("lender desk: register a loan", () => {
  it("test_registerLoan_badInput_refusedBeforeAnythingIsSent", async () => {
    const { writes } = renderSignedIn(<RegisterLoan />, {
      me: HUAXIA,
      routes: { "POST /v1/credit/loans": () => ({ status: 201, body: { txHashes: [], events: [], result: {} } }) },
    });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Borrower id number"), "110101199003077777");
    await user.type(screen.getByLabelText("Loan reference"), "HX 2026 with spaces");
    await user.type(screen.getByLabelText("Principal"), "12,5");
    await user.type(screen.getByLabelText("Outstanding"), "99999");
    await user.type(screen.getByLabelText("Originated (YYYY-MM-DD)"), "2026-02-30");
    await user.type(screen.getByLabelText("Matures (YYYY-MM-DD)"), "2025-01-01");
    await user.click(screen.getByRole("button", { name: "Register" }));
    expect(await screen.findByText("1 to 31 letters, digits or symbols, without spaces.")).toBeTruthy();
    expect(screen.getAllByText("An amount above zero, like 20000 or 1250.50.")).toHaveLength(1);
    expect(screen.getByText("A date written YYYY-MM-DD, like 2026-03-01.")).toBeTruthy();
    expect(writes()).toEqual([]);
  });

  it("test_registerLoan_outstandingOverPrincipalOrMaturingBeforeOrigination_refused", async () => {
    const { writes } = renderSignedIn(<RegisterLoan />, { me: HUAXIA });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Borrower id number"), "110101199003077777");
    await user.type(screen.getByLabelText("Loan reference"), "HX-2026-0001");
    await user.type(screen.getByLabelText("Principal"), "20000.00");
    await user.type(screen.getByLabelText("Outstanding"), "20000.01");
    await user.type(screen.getByLabelText("Originated (YYYY-MM-DD)"), "2026-03-01");
    await user.type(screen.getByLabelText("Matures (YYYY-MM-DD)"), "2026-02-28");
    await user.click(screen.getByRole("button", { name: "Register" }));
    expect(await screen.findByText("The outstanding cannot exceed the principal.")).toBeTruthy();
    expect(screen.getByText("The loan cannot mature before it was originated.")).toBeTruthy();
    expect(writes()).toEqual([]);
  });

  it("test_registerLoan_goodInput_sentOnceAndTheAnswerShowsRefAndFlag", async () => {
    const { writes } = renderSignedIn(<RegisterLoan />, {
      me: HUAXIA,
      routes: {
        "POST /v1/credit/loans": () => ({
          status: 201,
          body: {
            txHashes: ["0x1"],
            events: [],
            result: {
              ref: "HX-2026-0001",
              borrower: "CN-RIC ****7777",
              outstanding: "20000.00",
              currency: "CNY",
              flags: [{ limit: "DistinctLenders", value: "3", max: "2" }],
              exposure: { activeLoans: 3, activeLenders: 3, outstanding: "6000000", defaults: 0, inquiries: 1 },
            },
          },
        }),
      },
    });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Borrower id number"), "110101199003077777");
    await user.type(screen.getByLabelText("Loan reference"), "HX-2026-0001");
    await user.type(screen.getByLabelText("Principal"), "20000.00");
    await user.type(screen.getByLabelText("Originated (YYYY-MM-DD)"), "2026-03-01");
    await user.type(screen.getByLabelText("Matures (YYYY-MM-DD)"), "2027-03-01");
    await user.click(screen.getByRole("button", { name: "Register" }));
    expect(
      await screen.findByText(
        "Loan HX-2026-0001 is registered and was flagged: the borrower now breaks a limit of the policy.",
      ),
    ).toBeTruthy();
    expect(screen.getByRole("table", { name: "Multi-borrowing flags raised" }).textContent).toContain(
      "Number of lenders",
    );
    const [post] = writes();
    expect(writes()).toHaveLength(1);
    expect(post.body).toMatchObject({ ref: "HX-2026-0001", principal: "20000.00", borrowerType: "CN-RIC" });
    expect(post.body).not.toHaveProperty("aprBps");
    expect(post.headers.get("idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/** The service's answer to a check: borrower CN-RIC ****7777, no loans, the policy's verdict `policy`. */
function inquiryAnswer(consentId: string, purpose: string, policy: Record<string, unknown>) {
  return () => ({
    status: 200,
    body: {
      txHashes: ["0x1"],
      events: [],
      result: {
        borrower: "CN-RIC ****7777",
        borrowerKey: `0x${"ab".repeat(32)}`,
        member: 3,
        exposure: { activeLoans: 0, activeLenders: 0, outstanding: "0", defaults: 0, inquiries: 1 },
        policy,
        consentId,
        purpose,
      },
    },
  });
}

describe("lender desk: APR and consent", () => {
  it("test_registerLoan_aprBps_shownAsAPercentageAndSent", async () => {
    const { writes } = renderSignedIn(<RegisterLoan />, {
      me: HUAXIA,
      routes: {
        "POST /v1/credit/loans": () => ({
          status: 201,
          body: {
            txHashes: ["0x1"],
            events: [],
            result: {
              ref: "HX-APR",
              borrower: "CN-RIC ****7777",
              outstanding: "12000.00",
              currency: "CNY",
              flags: [],
              exposure: { activeLoans: 1, activeLenders: 1, outstanding: "1200000", defaults: 0, inquiries: 0 },
            },
          },
        }),
      },
    });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Borrower id number"), "110101199003077777");
    await user.type(screen.getByLabelText("Loan reference"), "HX-APR");
    await user.type(screen.getByLabelText("Principal"), "12000.00");
    await user.type(screen.getByLabelText("Originated (YYYY-MM-DD)"), "2026-03-01");
    await user.type(screen.getByLabelText("Matures (YYYY-MM-DD)"), "2027-03-01");
    await user.type(screen.getByLabelText("APR (basis points, optional)"), "23.99");
    await user.click(screen.getByRole("button", { name: "Register" }));
    expect(await screen.findByText("A whole number of basis points, like 2399 for 23.99%.")).toBeTruthy();
    expect(writes()).toEqual([]);
    await user.clear(screen.getByLabelText("APR (basis points, optional)"));
    await user.type(screen.getByLabelText("APR (basis points, optional)"), "2399");
    expect(await screen.findByText("APR 23.99%")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Register" }));
    expect(await screen.findByText("Loan HX-APR is registered. No limit was broken.")).toBeTruthy();
    expect(writes()).toHaveLength(1);
    expect(writes()[0].body).toMatchObject({ ref: "HX-APR", aprBps: "2399" });
  });

  it("test_myLoans_showTheAprAsAPercentage_andDaysPastDue", async () => {
    const loan = {
      ref: "HX-1",
      borrowerKey: `0x${"ab".repeat(32)}`,
      lender: 3,
      kind: "ConsumerLoan",
      principal: "12000.00",
      outstanding: "11000.00",
      currency: "CNY",
      originated: "2026-03-01",
      matures: "2027-02-01",
      registeredAt: 1,
      plan: null,
      bucket: 0,
    };
    renderSignedIn(<MyLoans />, {
      me: HUAXIA,
      routes: {
        "GET /v1/credit/loans": () => ({
          status: 200,
          body: [
            {
              ...loan,
              id: `0x${"01".repeat(32)}`,
              status: "Overdue",
              aprBps: 2399,
              apr: "23.99%",
              instalments: 12,
              daysPastDue: 45,
              bucket: 2,
            },
            {
              ...loan,
              id: `0x${"02".repeat(32)}`,
              ref: "HX-2",
              status: "Active",
              aprBps: null,
              apr: null,
              instalments: null,
              daysPastDue: null,
            },
          ],
        }),
      },
    });
    const table = await screen.findByRole("table", { name: "Loans this member reported, newest first" });
    const first = (await within(table).findByText("HX-1")).closest("tr")!;
    expect(within(first).getByText("23.99%")).toBeTruthy();
    expect(within(first).getByText("12 (45 days past due)")).toBeTruthy();
    const second = within(table).getByText("HX-2").closest("tr")!;
    expect(within(second).getAllByText("—")).toHaveLength(2);
  });

  it("test_checkBorrower_sendsTheConsentIdAndPurpose_andRefusesAnythingElseAsAnId", async () => {
    const consentId = `0x${"c1".repeat(32)}`;
    const { writes } = renderSignedIn(<CheckBorrower />, {
      me: HUAXIA,
      routes: {
        "POST /v1/credit/inquiries": inquiryAnswer(consentId, "LimitReview", {
          mode: "Flag",
          amount: "0.00",
          currency: "CNY",
          product: "ConsumerLoan",
          verdict: "within every limit",
          breaches: [],
        }),
      },
    });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Borrower id number"), "110101199003077777");
    await user.type(screen.getByLabelText("Consent id"), "AUTH-2026-0042");
    await user.click(screen.getByRole("button", { name: "Check" }));
    expect(await screen.findByText("A consent id: 0x and 64 hex digits.")).toBeTruthy();
    expect(writes()).toEqual([]);
    await user.clear(screen.getByLabelText("Consent id"));
    await user.type(screen.getByLabelText("Consent id"), consentId);
    await user.click(screen.getByLabelText("Purpose"));
    await user.click(await screen.findByTitle("Limit review"));
    await user.click(screen.getByRole("button", { name: "Check" }));
    expect(await screen.findByText(consentId)).toBeTruthy();
    expect(writes()).toHaveLength(1);
    expect(writes()[0].body).toEqual({
      borrowerType: "CN-RIC",
      borrowerId: "110101199003077777",
      consentId,
      purpose: "LimitReview",
      product: "ConsumerLoan",
    });
  });

  it("test_checkBorrower_collections_asksForTheLoanCollected_andSendsIt", async () => {
    const consentId = `0x${"c3".repeat(32)}`;
    const { writes } = renderSignedIn(<CheckBorrower />, {
      me: HUAXIA,
      routes: {
        "POST /v1/credit/inquiries": inquiryAnswer(consentId, "Collections", {
          mode: "Flag",
          amount: "0.00",
          currency: "CNY",
          product: "ConsumerLoan",
          verdict: "within every limit",
          breaches: [],
        }),
      },
    });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Borrower id number"), "110101199003077777");
    await user.type(screen.getByLabelText("Consent id"), consentId);
    // Only a collection names the loan it collects.
    expect(screen.queryByLabelText("Loan being collected (your reference)")).toBeNull();
    await user.click(screen.getByLabelText("Purpose"));
    await user.click(await screen.findByTitle("Collections"));
    await user.type(await screen.findByLabelText("Loan being collected (your reference)"), "HX-2024-0007");
    await user.click(screen.getByRole("button", { name: "Check" }));
    expect(await screen.findByText(consentId)).toBeTruthy();
    expect(writes()[0].body).toEqual({
      borrowerType: "CN-RIC",
      borrowerId: "110101199003077777",
      consentId,
      purpose: "Collections",
      product: "ConsumerLoan",
      loan: "HX-2024-0007",
    });
  });

  it("test_checkBorrower_sendsTheProductAndApr_andShowsAnAprOverTheCapAsPercentages", async () => {
    const consentId = `0x${"c2".repeat(32)}`;
    const { writes } = renderSignedIn(<CheckBorrower />, {
      me: HUAXIA,
      routes: {
        "POST /v1/credit/inquiries": inquiryAnswer(consentId, "NewCredit", {
          mode: "Flag",
          amount: "5000.00",
          currency: "CNY",
          product: "ConsumerLoan",
          aprBps: 3700,
          verdict: "flagged",
          breaches: [{ limit: "Apr", value: "3700", max: "3600" }],
        }),
      },
    });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Borrower id number"), "110101199003077777");
    await user.type(screen.getByLabelText("Consent id"), consentId);
    await user.type(screen.getByLabelText("New loan amount"), "5000.00");
    // The APR is a whole number of basis points: anything else is refused here, and read back while typed.
    await user.type(screen.getByLabelText("APR (basis points, optional)"), "37%");
    await user.click(screen.getByRole("button", { name: "Check" }));
    expect(await screen.findByText("A whole number of basis points, like 2399 for 23.99%.")).toBeTruthy();
    expect(writes()).toEqual([]);
    await user.clear(screen.getByLabelText("APR (basis points, optional)"));
    await user.type(screen.getByLabelText("APR (basis points, optional)"), "3700");
    expect(await screen.findByText("APR 37.00%")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Check" }));
    const breaches = await screen.findByRole("table", { name: "Limits a new loan would break" });
    const row = within(breaches).getByText("APR over the cap").closest("tr")!;
    expect(within(row).getByText("37.00%")).toBeTruthy();
    expect(within(row).getByText("36.00%")).toBeTruthy();
    expect(writes()).toHaveLength(1);
    expect(writes()[0].body).toEqual({
      borrowerType: "CN-RIC",
      borrowerId: "110101199003077777",
      consentId,
      purpose: "NewCredit",
      amount: "5000.00",
      product: "ConsumerLoan",
      aprBps: "3700",
    });
  });
});
