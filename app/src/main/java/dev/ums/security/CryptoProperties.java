package dev.ums.security;

import java.util.List;
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
 * @param previousIndexKeys blind-index keys used before the current one, base64, each at least 32
 *     bytes and none equal to the current key: suppression entries stored under a digest of one of
 *     them still match (and are re-keyed to the current key when found); keep a key here until
 *     {@code crypto reencrypt --reindex} has run after the change and the entries have been
 *     re-keyed
 * @param devKeysetPath where development mode keeps the keyset it generates when none is
 *     configured; the development index key is kept beside it as {@code index-key}
 */
@ConfigurationProperties("ums.crypto")
public record CryptoProperties(
    String keyset,
    String keysetFile,
    String indexKey,
    String indexKeyFile,
    @DefaultValue List<String> previousIndexKeys,
    @DefaultValue("./data/keyset.json") String devKeysetPath) {}
