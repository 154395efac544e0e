package dev.skyward.aws;

import dev.skyward.spi.ProviderException;
import dev.skyward.spi.ProviderException.Kind;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** What EC2's error codes mean to a pool (PROVIDER-APIS.md: AWS EC2, Errors). */
final class Ec2Errors {

    /** No room for this type in this zone: the next zone, then the next offer. */
    static final Set<String> CAPACITY = Set.of("InsufficientInstanceCapacity", "InsufficientCapacity",
            "UnfulfillableCapacity", "InsufficientHostCapacity", "InsufficientReservedInstanceCapacity",
            "SpotMaxPriceTooLow", "MaxSpotInstanceCountExceeded.Capacity");
    /** The type is not offered in this zone: like capacity, the next zone may have it. */
    static final Set<String> NOT_IN_ZONE = Set.of("Unsupported");
    /** Account limits: the region is out for this pool. */
    static final Set<String> QUOTA = Set.of("VcpuLimitExceeded", "InstanceLimitExceeded",
            "MaxSpotInstanceCountExceeded", "OptInRequired", "PendingVerification");
    /** Credentials that do not work: all of AWS is out. */
    static final Set<String> CREDENTIALS = Set.of("AuthFailure", "UnauthorizedOperation", "ExpiredToken",
            "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId", "SignatureDoesNotMatch",
            "AccessDenied", "AccessDeniedException", "UnrecognizedClientException", "Blocked");
    /** Worth the same call again after a pause. */
    static final Set<String> THROTTLE = Set.of("RequestLimitExceeded", "ServiceUnavailable", "Unavailable",
            "InternalError", "Throttling", "ThrottlingException", "InternalFailure");

    private Ec2Errors() {
    }

    static String code(AwsServiceException e) {
        return e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null
                ? e.awsErrorDetails().errorCode() : "";
    }

    static String message(AwsServiceException e) {
        return e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? e.awsErrorDetails().errorMessage() : e.getMessage();
    }

    static boolean throttled(SdkException e) {
        return e instanceof AwsServiceException s && THROTTLE.contains(code(s));
    }

    static boolean capacity(SdkException e) {
        return e instanceof AwsServiceException s && (CAPACITY.contains(code(s)) || NOT_IN_ZONE.contains(code(s)));
    }

    /**
     * The pool's view of an SDK failure.
     *
     * @param what the call, for the message ("RunInstances p5.48xlarge in us-east-1a")
     */
    static ProviderException classify(String what, SdkException e) {
        if (e instanceof AwsServiceException s) {
            String code = code(s);
            String text = "AWS " + what + ": " + code + ": " + message(s);
            if (CREDENTIALS.contains(code)) {
                return new ProviderException(Kind.CREDENTIALS, text + " (check the credentials and their IAM "
                        + "permissions for ec2:* and ssm:GetParameter; `skyward check` shows which are used)", e);
            }
            if (QUOTA.contains(code)) {
                return new ProviderException(Kind.QUOTA, text + " (ask for a higher limit under Service Quotas "
                        + "in the AWS console, or use another region)", e);
            }
            if (CAPACITY.contains(code) || NOT_IN_ZONE.contains(code)) {
                return new ProviderException(Kind.CAPACITY, text, e);
            }
            if (THROTTLE.contains(code) || s.statusCode() >= 500) {
                return new ProviderException(Kind.TRANSIENT, text, e);
            }
            return new ProviderException(Kind.FATAL, text, e);
        }
        String m = String.valueOf(e.getMessage());
        if (e instanceof SdkClientException && (m.contains("Unable to load credentials")
                || m.contains("credentials") && m.contains("provider"))) {
            return new ProviderException(Kind.CREDENTIALS, "AWS " + what + ": no usable credentials: " + m + "; "
                    + AwsCredentialSource.HELP, e);
        }
        return new ProviderException(Kind.TRANSIENT, "AWS " + what + ": " + m, e);
    }
}
