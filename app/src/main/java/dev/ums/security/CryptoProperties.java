package dev.ums.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ums.crypto.*}: the Tink keyset that seals personal data at rest.
 *
 * @param keyset the keyset as Tink JSON (e.g. from the environment, {@code UMS_CRYPTO_KEYSET})
 * @param keysetFile a file holding the keyset as Tink JSON
 * @param allowDevKeyset generate and keep a local keyset when none is configured (always allowed
 *     for the embedded H2 default)
 * @param devKeysetPath where that development keyset is kept
 */
@ConfigurationProperties("ums.crypto")
public record CryptoProperties(
    String keyset,
    String keysetFile,
    @DefaultValue("false") boolean allowDevKeyset,
    @DefaultValue("./data/keyset.json") String devKeysetPath) {}
