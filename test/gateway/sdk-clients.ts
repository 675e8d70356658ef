// The official SDK clients pointed at a gateway under test: every request goes through it with the given cf,
// and a copy of each lands in `sent`.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { CfFields } from "../../src/identity/cf.ts";
import type { harness } from "./harness.ts";

export function sdkClients(gw: ReturnType<typeof harness>, cf: CfFields, headers: Record<string, string> = {}) {
  const sent: Request[] = [];
  const fetch = gw.fetchWith(cf, sent);
  const defaultHeaders = headers;
  const anthropic = new Anthropic({
    apiKey: "sk-ant-customer",
    baseURL: "https://gateway.test",
    fetch,
    defaultHeaders,
  });
  const openai = new OpenAI({ apiKey: "sk-oai-customer", baseURL: "https://gateway.test/v1", fetch, defaultHeaders });
  return { sent, anthropic, openai };
}
