// Where the core keeps the device's secret keys (32-byte Ed25519 seeds): each seed is
// encrypted with AES-GCM under one key that never leaves the Android Keystore, and the
// ciphertext sits in app-private, never-backed-up files (noBackupFilesDir/keys/).
package org.skillpack.app

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import java.io.File
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import org.skillpack.core.PlatformKeyStore

class KeystoreKeys(context: Context) : PlatformKeyStore {
    private val dir = File(context.noBackupFilesDir, "keys").apply { mkdirs() }

    override fun load(name: String): ByteArray? {
        val file = fileFor(name)
        if (!file.exists()) return null
        val blob = file.readBytes()
        require(blob.size > IV_BYTES) { "key file $name is truncated" }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, wrappingKey(), GCMParameterSpec(TAG_BITS, blob, 0, IV_BYTES))
        return cipher.doFinal(blob, IV_BYTES, blob.size - IV_BYTES)
    }

    override fun save(name: String, seed: ByteArray) {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, wrappingKey()) // the Keystore picks a fresh IV
        val blob = cipher.iv + cipher.doFinal(seed)
        // Write then rename, so a crash never leaves half a key behind.
        val tmp = File(dir, "${fileFor(name).name}.tmp")
        tmp.writeBytes(blob)
        check(tmp.renameTo(fileFor(name))) { "could not store key $name" }
    }

    /** Names come from the core; hex keeps any of them a safe file name. */
    private fun fileFor(name: String) =
        File(dir, name.toByteArray().joinToString("") { "%02x".format(it) } + ".key")

    private fun wrappingKey(): SecretKey {
        val store = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }
        (store.getEntry(ALIAS, null) as? KeyStore.SecretKeyEntry)?.let { return it.secretKey }
        val spec = KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .build()
        return KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE)
            .apply { init(spec) }
            .generateKey()
    }

    private companion object {
        const val ANDROID_KEYSTORE = "AndroidKeyStore"
        const val ALIAS = "skillpack-device-keys"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
        const val TAG_BITS = 128
    }
}
