export default {
  async fetch(request: Request, env: { ORIGIN_URL: string }): Promise<Response> {
    return new Response(JSON.stringify({ cf: request.cf?.country ?? null, origin: env.ORIGIN_URL }));
  },
} satisfies ExportedHandler<{ ORIGIN_URL: string }>;
