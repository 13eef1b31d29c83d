// Where the core keeps the device's secret keys (32-byte Ed25519 seeds): the Keychain, as
// generic passwords readable after the first unlock (so background sync can sign) and never
// copied to another device or a backup.
import Foundation
import Security
import SkillpackCore

final class KeychainKeys: PlatformKeyStore {
    private let service = "org.skillpack.device-keys"

    func load(name: String) throws -> Data? {
        var query = base(name)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess: return item as? Data
        case errSecItemNotFound: return nil
        default: throw SkillpackError.Storage(detail: "Keychain read of \(name) failed: \(status)")
        }
    }

    func save(name: String, seed: Data) throws {
        SecItemDelete(base(name) as CFDictionary)
        var item = base(name)
        item[kSecValueData as String] = seed
        item[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        let status = SecItemAdd(item as CFDictionary, nil)
        guard status == errSecSuccess else {
            throw SkillpackError.Storage(detail: "Keychain write of \(name) failed: \(status)")
        }
    }

    private func base(_ name: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: name,
        ]
    }
}
