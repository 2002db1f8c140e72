import type {
  AnyTRPCRootTypes as AnyRootTypes,
  AnyTRPCMutationProcedure,
  AnyTRPCQueryProcedure,
  AnyTRPCSubscriptionProcedure,
  TRPCRouterRecord as RouterRecord,
  TRPCBuiltRouter,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
  TRPCSubscriptionProcedure,
} from '@trpc/server';

/**
 * The router as a client sees it: the same procedures, inputs, outputs and error shape, with the
 * server-only context (database, services) and meta (OpenAPI) erased, so that the published SDK
 * declarations never reference the server's dependencies. The mapped types are written inline
 * (not as aliases) so that declaration emit spells the result out in full; they cover the
 * router's two levels (`jobs.submit`). At run time this is the router itself.
 */
export function clientView<TRoot extends AnyRootTypes, TRecord extends RouterRecord>(
  built: TRPCBuiltRouter<TRoot, TRecord>,
): TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: TRoot['errorShape']; transformer: TRoot['transformer'] },
  {
    [A in keyof TRecord]: TRecord[A] extends AnyTRPCQueryProcedure
      ? TRPCQueryProcedure<{
          input: TRecord[A]['_def']['$types']['input'];
          output: TRecord[A]['_def']['$types']['output'];
          meta: object;
          errorShape: TRecord[A]['_def']['$types']['errorShape'];
        }>
      : TRecord[A] extends AnyTRPCMutationProcedure
        ? TRPCMutationProcedure<{
            input: TRecord[A]['_def']['$types']['input'];
            output: TRecord[A]['_def']['$types']['output'];
            meta: object;
            errorShape: TRecord[A]['_def']['$types']['errorShape'];
          }>
        : TRecord[A] extends AnyTRPCSubscriptionProcedure
          ? TRPCSubscriptionProcedure<{
              input: TRecord[A]['_def']['$types']['input'];
              output: TRecord[A]['_def']['$types']['output'];
              meta: object;
              errorShape: TRecord[A]['_def']['$types']['errorShape'];
            }>
          : {
              [B in keyof TRecord[A]]: TRecord[A][B] extends AnyTRPCQueryProcedure
                ? TRPCQueryProcedure<{
                    input: TRecord[A][B]['_def']['$types']['input'];
                    output: TRecord[A][B]['_def']['$types']['output'];
                    meta: object;
                    errorShape: TRecord[A][B]['_def']['$types']['errorShape'];
                  }>
                : TRecord[A][B] extends AnyTRPCMutationProcedure
                  ? TRPCMutationProcedure<{
                      input: TRecord[A][B]['_def']['$types']['input'];
                      output: TRecord[A][B]['_def']['$types']['output'];
                      meta: object;
                      errorShape: TRecord[A][B]['_def']['$types']['errorShape'];
                    }>
                  : TRecord[A][B] extends AnyTRPCSubscriptionProcedure
                    ? TRPCSubscriptionProcedure<{
                        input: TRecord[A][B]['_def']['$types']['input'];
                        output: TRecord[A][B]['_def']['$types']['output'];
                        meta: object;
                        errorShape: TRecord[A][B]['_def']['$types']['errorShape'];
                      }>
                    : never;
            };
  }
> {
  return built as never;
}
