// Lesson media from the bytes the core hands over: images downsampled off the main thread to
// the screen's width (memory is short on cheap phones), audio played with AVAudioPlayer.
// Media the pack does not carry (bytes = nil, say in a low-data pack) shows its description.
import AVFoundation
import ImageIO
import SkillpackCore
import SwiftUI
import UIKit

struct MediaImage: View {
    let item: MediaItem?
    let alt: String
    @State private var image: UIImage?

    var body: some View {
        Group {
            if let image {
                Image(uiImage: image).resizable().scaledToFit().accessibilityLabel(alt)
            } else {
                Text(alt).italic().foregroundColor(.secondary)
            }
        }
        .task(id: item?.path) {
            guard let data = item?.bytes else { return }
            let pixels = Int(UIScreen.main.bounds.width * UIScreen.main.scale)
            image = await Task.detached(priority: .userInitiated) { downsample(data, maxPixels: pixels) }.value
        }
    }
}

private func downsample(_ data: Data, maxPixels: Int) -> UIImage? {
    guard let source = CGImageSourceCreateWithData(data as CFData, [kCGImageSourceShouldCache: false] as CFDictionary) else {
        return nil
    }
    let options = [
        kCGImageSourceCreateThumbnailFromImageAlways: true,
        kCGImageSourceCreateThumbnailWithTransform: true,
        kCGImageSourceShouldCacheImmediately: true,
        kCGImageSourceThumbnailMaxPixelSize: maxPixels,
    ] as CFDictionary
    return CGImageSourceCreateThumbnailAtIndex(source, 0, options).map { UIImage(cgImage: $0) }
}

struct AudioButton: View {
    let item: MediaItem
    let label: String
    @StateObject private var clip = AudioClip()

    var body: some View {
        Button {
            if let data = item.bytes { clip.toggle(data) }
        } label: {
            Label(label, systemImage: clip.playing ? "stop.fill" : "play.fill")
        }
        .buttonStyle(.bordered)
        .disabled(item.bytes == nil)
        .onDisappear { clip.stop() }
    }
}

/// One playing clip. `.playback` so learners hear it with the ring switch on silent.
final class AudioClip: NSObject, ObservableObject, AVAudioPlayerDelegate {
    @Published private(set) var playing = false
    private var player: AVAudioPlayer?

    func toggle(_ data: Data) {
        if playing { stop() } else { play(data) }
    }

    private func play(_ data: Data) {
        do {
            try AVAudioSession.sharedInstance().setCategory(.playback)
            let player = try AVAudioPlayer(data: data)
            player.delegate = self
            player.play()
            self.player = player
            playing = true
        } catch {
            stop() // a format this phone cannot play
        }
    }

    func stop() {
        player?.stop()
        player = nil
        playing = false
    }

    func audioPlayerDidFinishPlaying(_ player: AVAudioPlayer, successfully flag: Bool) {
        stop()
    }
}
