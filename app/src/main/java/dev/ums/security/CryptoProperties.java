package dev.ums.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ums.crypto.*}: the Tink keyset that seals personal data at rest, and the key of the blind
 * index that lets admins find messages by recipient without decrypting them.
 *
 * @param keyset the keyset as Tink JSON (e.g. from the environment, {@code UMS_CRYPTO_KEYSET})
 * @param keysetFile a file holding the keyset as Tink JSON
 * @param indexKey the blind-index HMAC-SHA256 key, base64, at least 32 bytes (e.g. {@code
 *     UMS_CRYPTO_INDEX_KEY}); changing it needs {@code crypto reencrypt --reindex}
 * @param indexKeyFile a file holding that key, base64
 * @param devKeysetPath where development mode keeps the keyset it generates when none is
 *     configured; the development index key is kept beside it as {@code index-key}
 */
@ConfigurationProperties("ums.crypto")
public record CryptoProperties(
    String keyset,
    String keysetFile,
    String indexKey,
    String indexKeyFile,
    @DefaultValue("./data/keyset.json") String devKeysetPath) {}
