// The part of @pactflow/swagger-mock-validator's API the harness uses (the package ships no types).
declare module "@pactflow/swagger-mock-validator" {
  interface ValidationMessage {
    code: string;
    message: string;
    mockDetails?: { interactionDescription?: string; location?: string };
  }
  interface ValidationResult {
    success: boolean;
    failureReason?: string;
    errors: ValidationMessage[];
    warnings: ValidationMessage[];
  }
  export const SwaggerMockValidatorFactory: {
    create(auth?: string): {
      validate(options: {
        mockPathOrUrl: string;
        specPathOrUrl: string;
        analyticsUrl?: string;
      }): Promise<ValidationResult>;
    };
  };
}
