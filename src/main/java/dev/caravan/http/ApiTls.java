package dev.caravan.http;

import io.vertx.core.http.ClientAuth;
import java.security.KeyStore;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerSslBundle;
import org.springframework.core.env.Environment;

/**
 * TLS on the API port from Spring Boot's own {@code server.ssl.*} settings, as for any Spring Boot
 * server: {@code server.ssl.bundle} naming a {@code spring.ssl.bundle.*} (JKS, PKCS12 or PEM), or
 * {@code server.ssl.key-store}/{@code certificate} directly; {@code client-auth} with a trust store asks
 * clients for certificates. Spring resolves the stores, Camel's Vert.x server takes them as its
 * {@code SSLContextParameters}: the API is served by Vert.x, not by the servlet container that
 * {@code server.ssl} usually configures (which does not listen on this port at all).
 */
final class ApiTls {

    private ApiTls() { }

    /**
     * Whether the API port asks clients for a certificate ({@code server.ssl.client-auth}: none, want, need).
     * Vert.x takes this from its server options: Camel's SSL set-up passes only the key and trust managers on.
     */
    static ClientAuth clientAuth(Environment environment) {
        Ssl ssl = Binder.get(environment).bind("server.ssl", Ssl.class).orElse(null);
        if (!Ssl.isEnabled(ssl) || ssl.getClientAuth() == null) {
            return ClientAuth.NONE;
        }
        return switch (ssl.getClientAuth()) {
            case NEED -> ClientAuth.REQUIRED;
            case WANT -> ClientAuth.REQUEST;
            case NONE -> ClientAuth.NONE;
        };
    }

    /** The API's TLS parameters, or null when {@code server.ssl} is not enabled. */
    static SSLContextParameters from(Environment environment, SslBundles bundles) {
        Ssl ssl = Binder.get(environment).bind("server.ssl", Ssl.class).orElse(null);
        if (!Ssl.isEnabled(ssl)) {
            return null;
        }
        SslBundle bundle = WebServerSslBundle.get(ssl, bundles);
        KeyStore keys = bundle.getStores().getKeyStore();
        if (keys == null) {
            throw new IllegalStateException("server.ssl is enabled but names no key store or certificate for the API port");
        }
        KeyStoreParameters store = new KeyStoreParameters();
        store.setKeyStore(keys);
        KeyManagersParameters keyManagers = new KeyManagersParameters();
        keyManagers.setKeyStore(store);
        String keyPassword = bundle.getKey().getPassword() != null ? bundle.getKey().getPassword()
                : bundle.getStores().getKeyStorePassword();
        keyManagers.setKeyPassword(keyPassword == null ? "" : keyPassword);
        SSLContextParameters parameters = new SSLContextParameters();
        parameters.setKeyManagers(keyManagers);
        KeyStore trust = bundle.getStores().getTrustStore();
        if (trust != null) {
            KeyStoreParameters trustStore = new KeyStoreParameters();
            trustStore.setKeyStore(trust);
            TrustManagersParameters trustManagers = new TrustManagersParameters();
            trustManagers.setKeyStore(trustStore);
            parameters.setTrustManagers(trustManagers);
        }
        return parameters;
    }
}
