import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { SignIn } from "./SignIn";

describe("SignIn", () => {
  it("test_signIn_malformedToken_saysWhyAndDoesNotSignIn", async () => {
    const onSignIn = vi.fn();
    render(<SignIn onSignIn={onSignIn} />);
    await userEvent.type(screen.getByLabelText("API token"), "not a token");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("An API token starts with tl_ and has no spaces.")).toBeTruthy();
    expect(onSignIn).not.toHaveBeenCalled();
  });

  it("test_signIn_token_trimmedAndHandedOn", async () => {
    const onSignIn = vi.fn();
    render(<SignIn onSignIn={onSignIn} />);
    await userEvent.type(screen.getByLabelText("API token"), "  tl_abc-DEF_123 ");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await vi.waitFor(() => expect(onSignIn).toHaveBeenCalledWith("tl_abc-DEF_123"));
  });

  it("test_signIn_refusal_shownInWords", () => {
    render(<SignIn onSignIn={() => {}} refusal="this token is unknown or revoked" />);
    expect(screen.getByRole("alert").textContent).toContain("this token is unknown or revoked");
  });
});
